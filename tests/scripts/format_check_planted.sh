#!/bin/bash
# format_check.sh must catch what it is for: in a scratch folder with the repository's
# .clang-format, a formatted file passes and a badly laid out one fails and is named.
# Usage: format_check_planted.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
check=$(dirname "$0")/format_check.sh
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$source_dir/.clang-format" "$scratch/"
printf 'int twice(int x) { return 2 * x; }\n' > "$scratch/good.cpp"
bash "$check" "$scratch" > /dev/null || { echo "a formatted file was refused"; exit 1; }
printf 'int   twice( int x ){return 2*x;}\n' > "$scratch/planted.cpp"
if output=$(bash "$check" "$scratch"); then echo "a badly laid out file was not found"; exit 1; fi
grep -qx '  planted.cpp' <<< "$output" || { echo "not named: planted.cpp"; echo "$output"; exit 1; }
grep -q 'good.cpp' <<< "$output" && { echo "a formatted file was named"; echo "$output"; exit 1; }
echo "format_check.sh names the badly laid out file and only it"
