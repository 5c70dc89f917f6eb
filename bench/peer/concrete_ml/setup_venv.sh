#!/usr/bin/env bash
# .venv-cml at the repository root with Concrete ML (the peer of the quantized stages), apart from
# .venv-peer because concrete-ml pins its own concrete-python. 1.9.0 is the version
# docs/ANCHORS compiled the reference circuit with; VEIL_CML_VERSION overrides the pin.
# torchvision for the seed's transforms: pip resolves it with the torch concrete-ml pins.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../make_venv.sh" "$here/../../../.venv-cml" "concrete.ml, torchvision, PIL" \
  "concrete-ml==${VEIL_CML_VERSION:-1.9.0}" torchvision pillow
