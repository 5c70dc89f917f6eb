#!/bin/bash
# client_link_check.sh PROGRAM: a program linked to veil::client alone holds veil's client and fhe
# code and nothing of the server side: no symbol of veil::nn, veil::compiler, veil::runtime,
# veil::io or veil::app, no BLAS routine, no OpenBLAS among its shared libraries. Prints each
# finding and fails on any (tests/CMakeLists.txt runs it on a program that does link them, too).
set -euo pipefail
program=$1
symbols=$(nm -C "$program")
# Not vacuous: the client and the engine are there (a stripped program would pass anything).
for present in 'veil::client::Client::encrypt' 'veil::fhe::'; do
  grep -qF "$present" <<< "$symbols" || { echo "$program: no symbol of $present: cannot check"; exit 2; }
done
status=0
for layer in nn compiler runtime io app; do
  count=$(grep -c "veil::$layer::" <<< "$symbols" || true)
  if [ "$count" -gt 0 ]; then echo "$program links veil::$layer ($count symbols)"; status=1; fi
done
if grep -qE '\b(cblas_|openblas_)' <<< "$symbols"; then echo "$program links BLAS (cblas_/openblas_ symbols)"; status=1; fi
libraries=$(ldd "$program")
if grep -qi openblas <<< "$libraries"; then echo "$program loads OpenBLAS: $(grep -i openblas <<< "$libraries")"; status=1; fi
[ "$status" -eq 0 ] && echo "$program: client and fhe only (no nn, compiler, runtime, io, app or OpenBLAS)"
exit "$status"
