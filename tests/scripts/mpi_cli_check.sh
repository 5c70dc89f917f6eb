#!/usr/bin/env bash
# mpi_cli_check.sh CHECK RANKS [hang]: the CLI's run step under mpirun on RANKS ranks writes an
# output file byte for byte equal to the single-process run's, with rank 0's per-rank report;
# with `hang`, rank 1 stops answering at batch 2: the job ends non-zero naming rank 1 and the
# batch, and writes no output file. Exits 77 (skipped) when mpirun is not installed.
set -uo pipefail
check=$1 ranks=$2 mode=${3:-exact}
command -v mpirun >/dev/null || { echo "mpirun not installed: skipped"; exit 77; }
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$check" prepare "$work" || { echo "FAIL: prepare"; exit 1; }
rank_timeout=60  # generous on a loaded CI machine; short where a rank hangs on purpose
[ "$mode" = hang ] && export VEIL_MPI_TEST_FAULT="1:2:hang" && rank_timeout=5
timeout 300 mpirun --oversubscribe -np "$ranks" "$check" run "$work" "$work/out.lwe" "$rank_timeout" >"$work/log" 2>&1
rc=$?
cat "$work/log"
fail() { echo "FAIL ($mode, $ranks ranks, rc $rc): $*"; exit 1; }
[ "$rc" -ne 124 ] || fail "the job hung (killed by timeout 300)"
if [ "$mode" = hang ]; then
  [ "$rc" -ne 0 ] || fail "the job succeeded despite the fault"
  [ ! -e "$work/out.lwe" ] || fail "an output file was written"
  grep -q "rank 1 did not answer batch 2" "$work/log" || fail "no message naming rank 1 and batch 2"
else
  [ "$rc" -eq 0 ] || fail "non-zero exit"
  cmp "$work/single.lwe" "$work/out.lwe" || fail "output differs from the single-process run's"
  [ "$(grep -c "^  rank [0-9]*: " "$work/log")" -eq "$ranks" ] || fail "no per-rank report"
fi
echo "PASS ($mode, $ranks ranks)"
