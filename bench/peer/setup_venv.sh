#!/usr/bin/env bash
# Creates .venv-peer at the repository root with concrete-python, the peer that
# bench/peer/time_tlu.py measures. Idempotent: an existing, working venv is kept.
# Environment: VEIL_PEER_PYTHON (interpreter), VEIL_PEER_CONCRETE_VERSION (pin).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$repo_root/.venv-peer"
# 2.10.0 is the version docs/ANCHORS measured; pin it so figures stay comparable.
concrete_version="${VEIL_PEER_CONCRETE_VERSION:-2.10.0}"

supported() {  # concrete-python wheels exist for CPython 3.8 .. 3.12 on x86-64 Linux
  "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null
}

pick_python() {
  local candidate
  for candidate in "${VEIL_PEER_PYTHON:-}" /usr/bin/python3 python3.11 python3.12 python3.10 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if supported "$candidate"; then echo "$candidate"; return 0; fi
  done
  echo "setup_venv: no Python 3.8..3.12 found (concrete-python supports only these); set VEIL_PEER_PYTHON" >&2
  return 1
}

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import concrete.fhe" 2>/dev/null; then
  echo "setup_venv: $venv already has concrete-python $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("concrete-python"))')" >&2
  exit 0
fi

python="$(pick_python)"
echo "setup_venv: creating $venv with $python ($("$python" --version 2>&1))" >&2
"$python" -m venv "$venv"

pypi_reachable() {
  "$venv/bin/python" - <<'PY' 2>/dev/null
import urllib.request
urllib.request.urlopen("https://pypi.org/simple/concrete-python/", timeout=20)
PY
}
# concrete/__init__.py still imports pkg_resources, which setuptools 81 removed.
if ! "$venv/bin/python" -m pip install --quiet "concrete-python==$concrete_version" "setuptools<81"; then
  if ! pypi_reachable; then
    echo "setup_venv: PyPI (https://pypi.org) is unreachable from here; the peer benchmark needs concrete-python==$concrete_version from it" >&2
  else
    echo "setup_venv: pip could not install concrete-python==$concrete_version for $("$python" --version 2>&1) (see pip's message above)" >&2
  fi
  exit 2
fi
"$venv/bin/python" -c "import concrete.fhe" || { echo "setup_venv: concrete-python installed but does not import" >&2; exit 3; }
echo "setup_venv: ready ($venv, concrete-python $concrete_version)" >&2
