#!/bin/bash
# library_code_check.sh must catch what it is for: on a copy of src/ and include/ with one planted
# line per kind of program code (in fhe, nn and runtime), it fails and names every planted line.
# Usage: library_code_check_planted.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
check=$(dirname "$0")/library_code_check.sh
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$source_dir/src" "$source_dir/include" "$scratch/"
bash "$check" "$scratch" > /dev/null || { echo "the unplanted copy already fails"; exit 1; }
cat > "$scratch/src/fhe/planted.cpp" <<'PLANT'
int main(int argc, char** argv) { return argc; }
void shout() { std::cout << "done\n"; }
PLANT
cat > "$scratch/include/veil/nn/planted.hpp" <<'PLANT'
struct Bar { ProgressBar bar; };
inline const char* flag = "--threads";
PLANT
echo 'void write_stage_report(std::ostream& out);' > "$scratch/src/runtime/planted.hpp"
if output=$(bash "$check" "$scratch"); then echo "planted program code was not found"; exit 1; fi
expected=("src/fhe/planted.cpp:1:" "src/fhe/planted.cpp:2:" "include/veil/nn/planted.hpp:1:"
          "include/veil/nn/planted.hpp:2:" "src/runtime/planted.hpp:1:")
for hit in "${expected[@]}"; do
  grep -qF "$hit" <<< "$output" || { echo "not reported: $hit"; echo "$output"; exit 1; }
done
echo "library_code_check.sh reports every planted line (${#expected[@]})"
