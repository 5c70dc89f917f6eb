#!/bin/bash
# veil as another project uses it: install this build into a scratch prefix, then configure,
# build examples/encrypted_small_cnn on its own against that prefix (find_package(veil)); linking
# it proves the package complete (the in-tree test runs the same program). Then builds
# tests/client_only (linked to veil::client alone) against it, runs it and checks that
# it links no compiler, nn or OpenBLAS (client_link_check.sh).
# Usage: install_check.sh BUILD_DIR EXAMPLE_SOURCE_DIR CLIENT_ONLY_SOURCE_DIR
set -euo pipefail
build=$1 example=$2 client_only=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > "$scratch/install.log"
test -f "$scratch/prefix/lib/cmake/veil/veilConfig.cmake" || { echo "no package config installed"; exit 1; }
test -x "$scratch/prefix/bin/veil_fhe" || { echo "veil_fhe not installed"; exit 1; }
test ! -e "$scratch/prefix/include/veil/app" || { echo "include/veil/app installed: the programs' code is not the library's API"; exit 1; }
cmake -S "$example" -B "$scratch/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  > "$scratch/configure.log" || { cat "$scratch/configure.log"; exit 1; }
cmake --build "$scratch/build" -j2 > "$scratch/build.log" || { cat "$scratch/build.log"; exit 1; }
test -x "$scratch/build/encrypted_small_cnn"
echo "installed package: configured, built and linked examples/encrypted_small_cnn"
cmake -S "$client_only" -B "$scratch/client" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$scratch/prefix" \
  > "$scratch/client_configure.log" || { cat "$scratch/client_configure.log"; exit 1; }
cmake --build "$scratch/client" -j2 > "$scratch/client_build.log" || { cat "$scratch/client_build.log"; exit 1; }
"$scratch/client/veil_client_only" "$scratch/client_files"
bash "$(dirname "$0")/client_link_check.sh" "$scratch/client/veil_client_only"
echo "installed package: built, ran and link-checked tests/client_only against veil::client"
