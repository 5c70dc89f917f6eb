#!/usr/bin/env bash
# .venv-peer at the repository root with concrete-python, the peer bench/peer/time_tlu.py measures.
# 2.10.0 is the version docs/ANCHORS measured; VEIL_PEER_CONCRETE_VERSION overrides the pin.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/make_venv.sh" "$here/../../.venv-peer" concrete.fhe \
  "concrete-python==${VEIL_PEER_CONCRETE_VERSION:-2.10.0}"
