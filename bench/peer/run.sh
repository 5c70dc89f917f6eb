#!/usr/bin/env bash
# One command for the peer benchmark: sets up .venv-peer if needed, then times
# concrete-python's table lookup on one thread. JSON lines on stdout, progress on stderr.
# Extra arguments go to time_tlu.py (e.g. --bits 6 --p-error 0.05 9.094947e-13).
# Default: p = 6, 7, 8 at p_error 0.05 and at 2^-40.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
"$here/setup_venv.sh" >&2
# Single thread, so one PBS is compared with one PBS of veil on one core.
export OMP_NUM_THREADS=1 RAYON_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
if (($# == 0)); then
  set -- --bits 6 7 8 --p-error 0.05 9.094947017729282e-13
fi
exec "$repo_root/.venv-peer/bin/python" "$here/time_tlu.py" "$@"
