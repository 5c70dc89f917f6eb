#!/usr/bin/env bash
# Creates .venv-cml at the repository root with Concrete ML (the peer of the quantized
# stages), separate from .venv-peer because concrete-ml pins its own concrete-python.
# Idempotent: an existing, working venv is kept.
# Environment: VEIL_CML_PYTHON (interpreter), VEIL_CML_VERSION (pin).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="$repo_root/.venv-cml"
# 1.9.0 is the version docs/ANCHORS compiled the reference circuit with.
cml_version="${VEIL_CML_VERSION:-1.9.0}"

supported() {  # concrete-ml wheels exist for CPython 3.8 .. 3.12 on x86-64 Linux
  "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null
}

pick_python() {
  local candidate
  for candidate in "${VEIL_CML_PYTHON:-}" /usr/bin/python3 python3.11 python3.12 python3.10 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if supported "$candidate"; then echo "$candidate"; return 0; fi
  done
  echo "setup_venv: no Python 3.8..3.12 found (concrete-ml supports only these); set VEIL_CML_PYTHON" >&2
  return 1
}

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import concrete.ml, torchvision, PIL" 2>/dev/null; then
  echo "setup_venv: $venv already has concrete-ml $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("concrete-ml"))')" >&2
  exit 0
fi

python="$(pick_python)"
echo "setup_venv: creating $venv with $python ($("$python" --version 2>&1))" >&2
"$python" -m venv "$venv"
# torchvision for the seed's transforms and resnet18; its version must match the torch
# concrete-ml pins, so let pip resolve both together. setuptools<81: concrete's __init__
# still imports pkg_resources.
if ! "$venv/bin/python" -m pip install --quiet "concrete-ml==$cml_version" torchvision pillow "setuptools<81"; then
  echo "setup_venv: pip could not install concrete-ml==$cml_version (PyPI unreachable, or no wheel for $("$python" --version 2>&1)); see pip's message above" >&2
  exit 2
fi
"$venv/bin/python" -c "import concrete.ml, torchvision" || { echo "setup_venv: concrete-ml installed but does not import" >&2; exit 3; }
echo "setup_venv: ready ($venv, concrete-ml $cml_version)" >&2
