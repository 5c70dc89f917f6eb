#!/usr/bin/env bash
# mpi_stage_check.sh CHECK RANKS [exit]: resnet18_fhe's distributed FHE stage under mpirun on
# RANKS ranks (tests/runtime_mpi/mpi_stage_check.cpp) decrypts and compares exactly as the
# single-process stage does, with the key's broadcast and rank 0's per-rank report; with `exit`,
# rank 1 dies at batch 2: the job ends non-zero naming rank 1, and writes no result file.
# Exits 77 (skipped) when mpirun is not installed.
set -uo pipefail
check=$1 ranks=$2 mode=${3:-exact}
command -v mpirun >/dev/null || { echo "mpirun not installed: skipped"; exit 77; }
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$check" single "$work/single.txt" || { echo "FAIL: the single-process stage"; exit 1; }
[ "$mode" = exit ] && export VEIL_MPI_TEST_FAULT="1:2:exit"
start=$(date +%s)
timeout 300 mpirun --oversubscribe -np "$ranks" "$check" run "$work/out.txt" 60 >"$work/log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$work/log"
fail() { echo "FAIL ($mode, $ranks ranks, rc $rc, ${elapsed} s): $*"; exit 1; }
[ "$rc" -ne 124 ] || fail "the job hung (killed by timeout 300)"
if [ "$mode" = exit ]; then
  [ "$rc" -ne 0 ] || fail "the job succeeded despite the fault"
  [ ! -e "$work/out.txt" ] || fail "a result file was written"
  grep -q "rank 1: test fault 'exit' at batch 2" "$work/log" || fail "no message naming rank 1 and batch 2"
  grep -Eq "Process name: \[\[[0-9]+,[0-9]+\],1\]" "$work/log" || fail "mpirun did not name rank 1"
  [ "$elapsed" -lt 60 ] || fail "took ${elapsed} s"
else
  [ "$rc" -eq 0 ] || fail "non-zero exit"
  diff "$work/single.txt" "$work/out.txt" || fail "results differ from the single-process stage's"
  grep -q "outputs off the noise-free run 0;" "$work/out.txt" || fail "the output is off the noise-free run"
  grep -q "^Server key broadcast to $((ranks - 1)) other rank(s): " "$work/log" || fail "no key broadcast line"
  [ "$(grep -c "^  rank [0-9]*: " "$work/log")" -eq "$ranks" ] || fail "no per-rank report"
fi
echo "PASS ($mode, $ranks ranks, ${elapsed} s)"
