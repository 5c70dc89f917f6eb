#!/bin/bash
# The library layers hold no program code (docs/library.md, "Program code lives in app"): no file
# under src/ or include/veil/ of common, fhe, io, nn, client, compiler or runtime parses a command
# line, prints to the terminal, draws a progress bar or names a program's flag. That code lives in
# src/app (veil::app). Each pattern below is one of those jobs; ALLOWED lists the few lines that
# must stay, each with its reason.
# Usage: library_code_check.sh SOURCE_DIR   (exit 0: clean; 1: the offending lines are listed)
set -euo pipefail
root=$1
layers=(common fhe io nn client compiler runtime)

patterns=(
  '\bargv\b|\bargc\b|\bgetopt'                                        # parsing a command line
  'std::(cout|cerr|clog)\b|\b(printf|puts|perror)\(|\bf(printf|puts)\((stdout|stderr)'  # printing
  '\bisatty\b|\\r"|ProgressBar|\bETA\b'                               # progress bars
  '"--[a-z]'                                                          # a program's flag
  '\b\w+_(report|help)\('                                             # report and help writers
)

# path:text  (fixed text that may appear on that file's matching lines)
allowed=(
  # An MPI rank's last words before MPI_Abort ends every rank: no caller is left to report them.
  'src/runtime/mpi/mpi_session.cpp:std::fprintf(stderr, "veil rank %d of %d: %s\nveil: stopping all ranks'
  'src/runtime/mpi/mpi_session.cpp:std::fprintf(stderr, "veil rank %d: test fault'
  # distributed::Options mirrors --distributed/--rank-timeout one to one; the refusals name the
  # option as the user gave it (the apps add nothing), and DistributedFlags tests pin the wording.
  'src/runtime/mpi/session_stub.cpp:"--distributed: veil was built without MPI'
  'src/runtime/mpi/mpi_session.cpp:"--rank-timeout: must be a positive number of seconds"'
)

dirs=()
for layer in "${layers[@]}"; do dirs+=("$root/src/$layer" "$root/include/veil/$layer"); done

status=0
for pattern in "${patterns[@]}"; do
  while IFS= read -r hit; do
    [ -z "$hit" ] && continue
    relative=${hit#"$root"/}
    file=${relative%%:*}
    ok=0
    for entry in "${allowed[@]}"; do
      if [ "${entry%%:*}" = "$file" ] && [[ "$relative" == *"${entry#*:}"* ]]; then ok=1; fi
    done
    if [ $ok = 0 ]; then
      echo "program code in a library layer: $relative"
      status=1
    fi
  done < <(grep -rnE --include='*.cpp' --include='*.hpp' --include='*.cu' --include='*.cuh' "$pattern" "${dirs[@]}" || true)
done
[ $status = 0 ] && echo "library layers: no flag parsing, printing, progress bars or flag names"
exit $status
