#!/bin/bash
# The build's layering (cmake/VeilLayer.cmake: each layer compiles against a view holding only its
# own sources and the public headers of the layers below it) must refuse what it is for: in each
# layer's own view a file that includes the layer's own and lower public headers compiles, and
# planted upward includes and includes of another layer's private headers do not.
# Usage: layering_planted.sh CXX LAYER_VIEWS_DIR
set -euo pipefail
cxx=$1
views=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# compiles LAYER HEADER: 0 when a file including HEADER compiles in LAYER's view.
compiles() {
  printf '#include "%s"\n' "$2" > "$scratch/planted.cpp"
  "$cxx" -std=c++20 -fsyntax-only -I "$views/$1/include" -I "$views/$1/src" "$scratch/planted.cpp" \
    > "$scratch/log" 2>&1
}
allowed=("fhe veil/fhe/backend.hpp" "fhe veil/common/error.hpp" "fhe fhe/serialize/envelope.hpp"
         "client veil/fhe/client_key.hpp" "compiler veil/nn/graph.hpp" "runtime veil/compiler/model_file.hpp")
refused=("fhe veil/nn/graph.hpp" "fhe veil/compiler/model_file.hpp" "common veil/fhe/backend.hpp"
         "client veil/compiler/model_file.hpp" "client veil/nn/graph.hpp" "nn veil/fhe/backend.hpp"
         "runtime fhe/serialize/envelope.hpp" "compiler veil/runtime/server.hpp")
for pair in "${allowed[@]}"; do
  read -r layer header <<< "$pair"
  compiles "$layer" "$header" || { echo "$layer cannot include $header, which it may:"; cat "$scratch/log"; exit 1; }
done
for pair in "${refused[@]}"; do
  read -r layer header <<< "$pair"
  if compiles "$layer" "$header"; then echo "$layer compiled an include of $header, which the layering forbids"; exit 1; fi
  grep -q "$header" "$scratch/log" || { echo "$layer refused $header for another reason:"; cat "$scratch/log"; exit 1; }
done
echo "layer views: ${#allowed[@]} allowed includes compile, ${#refused[@]} planted ones are refused"
