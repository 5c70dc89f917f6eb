#!/bin/bash
# Every C++ and CUDA source of the repository is laid out as .clang-format says (issue 16), so a
# change never mixes layout with substance. Lists the files that differ and how to fix them.
# Usage: format_check.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
formatter=""
for candidate in clang-format clang-format-14; do
  command -v "$candidate" > /dev/null && { formatter=$candidate; break; }
done
[[ -n $formatter ]] || { echo "clang-format is not installed (scripts/install-deps.sh installs it)"; exit 1; }
cd "$source_dir"
[[ -f .clang-format ]] || { echo "$source_dir has no .clang-format"; exit 1; }
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' '*.cu' '*.cuh')
else
  mapfile -t files < <(find . -path ./build -prune -o -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \
                       -o -name '*.cu' -o -name '*.cuh' \) -print | sed 's|^\./||' | sort)
fi
((${#files[@]})) || { echo "no sources found under $source_dir"; exit 1; }
unformatted=()
for file in "${files[@]}"; do
  "$formatter" --dry-run --Werror "$file" > /dev/null 2>&1 || unformatted+=("$file")
done
if ((${#unformatted[@]})); then
  echo "${#unformatted[@]} of ${#files[@]} files differ from .clang-format ($formatter):"
  printf '  %s\n' "${unformatted[@]}"
  echo "fix: $formatter -i FILE..."
  exit 1
fi
echo "all ${#files[@]} sources follow .clang-format"
