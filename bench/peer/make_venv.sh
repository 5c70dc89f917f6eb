#!/usr/bin/env bash
# Makes a venv for a peer benchmark: make_venv.sh VENV_DIR IMPORT_CHECK REQUIREMENT...
# Picks a Python the Concrete wheels support (CPython 3.8..3.12 on x86-64 Linux; VEIL_PEER_PYTHON
# overrides), keeps an existing venv whose IMPORT_CHECK imports, and says plainly when PyPI
# cannot be reached. setuptools<81 is always added: concrete's __init__ imports pkg_resources.
set -euo pipefail
venv="${1:?usage: make_venv.sh VENV_DIR IMPORT_CHECK REQUIREMENT...}"
check="${2:?usage: make_venv.sh VENV_DIR IMPORT_CHECK REQUIREMENT...}"
shift 2
(($#)) || { echo "make_venv: no requirement given" >&2; exit 2; }

supported() {
  "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null
}

pick_python() {
  local candidate
  for candidate in "${VEIL_PEER_PYTHON:-}" /usr/bin/python3 python3.11 python3.12 python3.10 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if supported "$candidate"; then echo "$candidate"; return 0; fi
  done
  echo "make_venv: no Python 3.8..3.12 found (Concrete supports only these); set VEIL_PEER_PYTHON" >&2
  return 1
}

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $check" 2>/dev/null; then
  echo "make_venv: $venv is ready (imports $check)" >&2
  exit 0
fi

python="$(pick_python)"
echo "make_venv: creating $venv with $python ($("$python" --version 2>&1))" >&2
"$python" -m venv "$venv"
if ! "$venv/bin/python" -m pip install --quiet "$@" "setuptools<81"; then
  # pip's own message above says whether the package index was unreachable or no wheel fits.
  echo "make_venv: pip could not install $* for $("$python" --version 2>&1) (see pip's message above)" >&2
  exit 3
fi
"$venv/bin/python" -c "import $check" || { echo "make_venv: installed, but 'import $check' fails" >&2; exit 3; }
echo "make_venv: ready ($venv: $*)" >&2
