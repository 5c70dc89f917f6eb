#!/usr/bin/env bash
# One encrypted 224x224 image on the GPU machine, longer than one device call may last (600 s):
# the run is started detached (its own process session, so it outlives the call that started it)
# and a second call, made while the machine is still warm, waits for it. From the repository root
# with .gpu/ (scripts/gpu-bundle.sh) carried:
#   call 1: BUDGET=560 bash scripts/gpu-full-image.sh start   (the CUDA tests, then the image)
#   call 2: BUDGET=...  bash scripts/gpu-full-image.sh wait    (at once: the machine stays warm 30 s)
# Each phase returns within BUDGET seconds and copies into OUT (default /tmp/veil-gpu-out):
# summary.txt, env.txt (GPU load every 10 s), tests.log, full224.log (with the layer CSV appended
# once the run ends) and, when time is left after the image, bench-linear.log. gpu-run.sh starts
# it with SKIP_TESTS=1 (it ran the tests itself): then `start` neither runs the tests nor touches
# that script's summary.txt, env.txt and tests.log (its own summary goes to image-summary.txt),
# and the run takes the blind-rotation path exported to it (VEIL_CUDA_PBS). Exit status: 0 when
# the image finished (wait) or is running (start), 1 when the run failed, 2 without a GPU, a bundle
# or (wait) a started run.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
phase=${1:-}
budget=${BUDGET:-560}
out=${OUT:-/tmp/veil-gpu-out}
[[ $phase == start || $phase == wait ]] || { echo "usage: $0 start|wait" >&2; exit 2; }
source scripts/gpu-env.sh || exit 2
mkdir -p "$out"
job=$work/full224
summary=$work/summary.txt
say() { echo "[$phase +$((SECONDS - start))s] $*" | tee -a "$summary"; }
embedded=0  # started by gpu-run.sh, which owns summary.txt, env.txt and tests.log in OUT
[[ $phase == start && ${SKIP_TESTS:-} == 1 ]] && embedded=1
collect() {
  if ((embedded)); then
    cp "$summary" "$out/image-summary.txt"
  else
    cp "$summary" "$out/summary.txt"
    cp "$work/env.txt" "$out/env.txt" 2>/dev/null
    cp "$work/tests.log" "$out/tests.log" 2>/dev/null
  fi
  { cat "$job.log"; [ -f "$job.rc" ] && cat "$work/layers224.csv"; } > "$out/full224.log" 2>/dev/null
}
trap collect EXIT

if [[ $phase == start ]]; then
  : > "$summary"
  rm -f "$job.rc" "$job.log"
  {
    date -u; nvidia-smi; nproc; grep -m1 'model name' /proc/cpuinfo; head -2 /etc/os-release
    echo "bundle commit: $(cat "$bundle/commit.txt" 2>/dev/null)"
  } > "$work/env.txt" 2>&1
  say "bundle $(head -1 "$bundle/commit.txt"), binaries $bin, CUDA libraries $(dirname "${LD_LIBRARY_PATH%%:*}/x")"
  ldd "$bin"/* | grep 'not found' | sort -u | tee -a "$summary"
  setsid nohup nvidia-smi --query-gpu=timestamp,utilization.gpu,utilization.memory,clocks.sm,power.draw,memory.used \
    --format=csv,noheader -l 10 >> "$work/env.txt" 2>&1 < /dev/null &
  # The backend's own tests first (seconds): should the linear kernel or the resident rows fail,
  # the image keeps that part on the host so that it still runs.
  if ((!embedded)); then
    timeout -k 5 120 "$bin/veil_fhe_tests" --gtest_filter='CudaBackend*' > "$work/tests.log" 2>&1
    say "CudaBackend tests: rc=$?"
    grep -E '^\[  (PASSED|FAILED|SKIPPED) |Failure' "$work/tests.log" | head -20 | tee -a "$summary"
    if grep -q '^\[  FAILED  \] CudaBackend.LinearBatch' "$work/tests.log"; then
      export VEIL_CUDA_LINEAR=host
      say "the device linear kernel failed its test: the image runs with VEIL_CUDA_LINEAR=host"
    fi
    if grep -q '^\[  FAILED  \] CudaBackend.ResidentRows' "$work/tests.log"; then
      export VEIL_CUDA_ROWS=host
      say "rows resident on the device failed their test: the image runs with VEIL_CUDA_ROWS=host"
    fi
  fi
  say "blind rotation: ${VEIL_CUDA_PBS:-legacy}; linear layers: ${VEIL_CUDA_LINEAR:-device}; rows: ${VEIL_CUDA_ROWS:-device}"
  setsid nohup bash -c '"$@" > "$0.log" 2>&1; echo $? > "$0.rc"' "$job" stdbuf -oL -eL \
    "$bin/resnet18_fhe" --weights "$weights" --num-images 1 --quant-mode improved --run-fhe --fhe-images 1 \
    --use-gpu --fhe-layers "$work/layers224.csv" < /dev/null > /dev/null 2>&1 &
  say "full 224x224 image started (detached)"
elif [[ ! -f $job.log ]]; then
  say "no run started on this machine (it was given back between the calls?)"
  exit 2
fi

# Wait for the run, or for the end of this call's budget.
while [[ ! -f $job.rc ]] && ((SECONDS - start < budget - 10)); do
  sleep 5
  if (( (SECONDS - start) % 60 < 5 )); then say "$(grep -a 'PBS' "$job.log" | tail -1 | tr '\r' '\n' | tail -1)"; fi
done
if [[ -f $job.rc ]]; then
  rc=$(cat "$job.rc")
  say "full image ended: rc=$rc"
  grep -aE 'estimated FHE time|FHE execution completed|top 5 labels|equals the simulation|mean time per image|peak resident|rror' "$job.log" | tee -a "$summary"
  # Time left: the linear layers' bench (CPU threads against the device kernel), new since the last run.
  if ((rc == 0 && budget - (SECONDS - start) > 70)); then
    timeout -k 5 $((budget - (SECONDS - start) - 20)) "$bin/veil_fhe_bench" --benchmark_filter='linear_batch/' > "$out/bench-linear.log" 2>&1
    grep -E '^linear_batch|ERROR' "$out/bench-linear.log" | tee -a "$summary"
  fi
  ((rc == 0)) || exit 1
else
  say "full image still running: $(grep -a 'PBS' "$job.log" | tail -1 | tr '\r' '\n' | tail -1)"
fi
exit 0
