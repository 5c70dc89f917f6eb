#!/usr/bin/env bash
# mpi_check.sh CHECK RANKS MODE: runs tests/runtime_mpi/mpi_server_check on RANKS ranks under
# mpirun (as root in CI, oversubscribed on 2 cores) and checks the outcome of MODE:
#   exact     exit 0, the equality report, an output file
#   partitions  the same with a two-partition program (each rank holds both partitions' keys)
#   mismatch  refused before any work, naming rank 1; no output file
#   exit|hang|throw   rank 1 faults at batch 3 (VEIL_MPI_TEST_FAULT): the job ends non-zero well
#             within the timeout, with a message naming rank 1 (and the batch), and no output file
# Exits 77 (skipped) when mpirun is not installed.
set -uo pipefail
check=$1 ranks=$2 mode=$3
command -v mpirun >/dev/null || { echo "mpirun not installed: skipped"; exit 77; }
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# A short rank timeout where a rank hangs on purpose; a generous one on a loaded CI machine.
export VEIL_MPI_CHECK_TIMEOUT=60; [ "$mode" = hang ] && VEIL_MPI_CHECK_TIMEOUT=5
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
out=$work/out.ctb
check_mode=exact; case $mode in mismatch|partitions) check_mode=$mode ;; esac
case $mode in exit|hang|throw) export VEIL_MPI_TEST_FAULT="1:3:$mode" ;; esac
start=$(date +%s)
timeout 300 mpirun --oversubscribe -np "$ranks" "$check" "$check_mode" "$out" >"$work/log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$work/log"
fail() { echo "FAIL ($mode, $ranks ranks, rc $rc, ${elapsed} s): $*"; exit 1; }
[ "$rc" -ne 124 ] || fail "the job hung (killed by timeout 300)"
case $mode in
  exact|partitions)
    [ "$rc" -eq 0 ] || fail "non-zero exit"
    grep -q "decrypt to the integer executor" "$work/log" || fail "no equality report"
    [ -s "$out" ] || fail "no output file" ;;
  mismatch)
    [ "$rc" -ne 0 ] || fail "mismatched keys were accepted"
    grep -q "rank 1 loaded different keys" "$work/log" || fail "no message naming rank 1"
    [ ! -e "$out" ] || fail "an output file was written" ;;
  exit|hang|throw)
    [ "$rc" -ne 0 ] || fail "the job succeeded despite the fault"
    [ ! -e "$out" ] || fail "an output file was written"
    grep -Eq "rank 1 (did not answer|failed on) batch 3|test fault 'exit' at batch 3" "$work/log" ||
      fail "no message naming rank 1 and batch 3"
    [ "$elapsed" -lt 60 ] || fail "took ${elapsed} s" ;;
esac
echo "PASS ($mode, $ranks ranks, ${elapsed} s)"
