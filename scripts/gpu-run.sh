#!/usr/bin/env bash
# The GPU check, run on the GPU machine from the repository root with .gpu/ (scripts/gpu-bundle.sh)
# beside it, in one device call: bash scripts/gpu-run.sh. Nothing is built there. It ends by itself
# within BUDGET seconds (default 500; every step has its own timeout) and writes under OUT (default
# /tmp/veil-gpu-out): summary.txt (read it first), env.txt, tests.log (the CUDA tests on both
# blind-rotation paths, then the CPU dispatch check), bench.log, bench.json, bench-fused.json,
# e2e16.log, full224.log. The 16x16 crop and the full image run on the blind-rotation path that the
# benchmark found faster on the ResNet-18 set (when the fused kernel passed its tests). With
# IMAGE=detach the full image is started detached instead (scripts/gpu-full-image.sh start: make
# the call `gpu-full-image.sh wait` at once after this one). QUICK=1 leaves the image more of the
# budget: the benchmarks only at batch 4096 (enough to choose the path), no linear-layer
# benchmark. Exit status: 0 when every CUDA test passed on the GPU, 1 when one failed or was
# skipped, 2 without a GPU or a bundle (within seconds).
set -uo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
budget=${BUDGET:-500}
out=${OUT:-/tmp/veil-gpu-out}
source scripts/gpu-env.sh || exit 2
mkdir -p "$out"
summary=$out/summary.txt
: > "$summary"
exec 3>&1  # the terminal, also inside steps whose output goes to a log
say() { echo "[+$((SECONDS - start))s] $*" | tee -a "$summary" >&3; }
# Seconds a step may take: what it wants, within what is left of the budget minus a reserve.
allow() { local want=$1 left=$((budget - (SECONDS - start) - ${2:-20})); ((left < want)) && want=$left; ((want < 5)) && want=5; echo "$want"; }
step() {
  local name=$1 seconds=$2; shift 2
  say "$name: start (timeout ${seconds}s)"
  local begun=$SECONDS
  timeout -k 5 "$seconds" stdbuf -oL -eL "$@"
  local rc=$?
  say "$name: rc=$rc in $((SECONDS - begun))s"
  return $rc
}

# 1. The machine, the libraries, the binaries.
{
  date -u; nvidia-smi; nproc; grep -m1 'model name' /proc/cpuinfo; head -2 /etc/os-release
  echo "bundle commit: $(cat "$bundle/commit.txt" 2>/dev/null)"
} > "$out/env.txt" 2>&1
say "bundle $(head -1 "$bundle/commit.txt"), binaries $bin, CUDA libraries $cuda_libs"
ldd "$bin"/* | grep 'not found' | sort -u | tee -a "$summary"
nvidia-smi --query-gpu=timestamp,utilization.gpu,utilization.memory,clocks.sm,power.draw,memory.used \
  --format=csv,noheader -l 5 >> "$out/env.txt" 2>&1 &
monitor=$!
trap 'kill $monitor 2>/dev/null' EXIT

# 2. The CUDA tests. A skipped CudaBackend test means the GPU was not used: that is a failure here.
step tests "$(allow 150)" "$bin/veil_fhe_tests" --gtest_filter='Cuda*' > "$out/tests.log" 2>&1
status=$?
grep -E '^\[  (PASSED|FAILED|SKIPPED) |Failure' "$out/tests.log" | head -30 | tee -a "$summary"
if grep -q '^\[  SKIPPED \] Cuda' "$out/tests.log"; then say "FAIL: CUDA tests skipped (the GPU was not used)"; status=1; fi
((status != 0)) && status=1
# The linear kernel has never run on a GPU: should its test fail, the runs below keep the linear
# layers on the host (VEIL_CUDA_LINEAR=host), so that the PBS figures and the full image still come.
if grep -q '^\[  FAILED  \] CudaBackend.LinearBatch' "$out/tests.log"; then
  export VEIL_CUDA_LINEAR=host
  say "the device linear kernel failed its test: the runs below use VEIL_CUDA_LINEAR=host"
fi
# Rows resident on the device have never run on a GPU either: should their test fail, the rows
# stay in host memory (VEIL_CUDA_ROWS=host: every batch copies in and out, as before).
if grep -q '^\[  FAILED  \] CudaBackend.ResidentRows' "$out/tests.log"; then
  export VEIL_CUDA_ROWS=host
  say "rows resident on the device failed their test: the runs below use VEIL_CUDA_ROWS=host"
fi

# 2b. The backend's tests again on the fused kernel (every shape it takes: toy sets, the ResNet
# sets); its result decides whether the fused kernel may run the images below.
fused_ok=0
VEIL_CUDA_PBS=fused step tests-fused "$(allow 60)" "$bin/veil_fhe_tests" --gtest_filter='CudaBackend*' > "$work/tests-fused.log" 2>&1 &&
  ! grep -q '^\[  SKIPPED \]' "$work/tests-fused.log" && fused_ok=1
{ echo "=== VEIL_CUDA_PBS=fused"; cat "$work/tests-fused.log"; } >> "$out/tests.log"
grep -E '^\[  (PASSED|FAILED|SKIPPED) |Failure' "$work/tests-fused.log" | head -20 | sed 's/^/VEIL_CUDA_PBS=fused: /' | tee -a "$summary"

# 2c. The CPU kernels on this machine's Xeon (AVX-512, never run elsewhere), and its AVX2 table.
cpu_filter='CpuDispatch*:*NegacyclicFft*:Keyswitch*:MultiDot*:*Decomposition*:ExternalProduct*:Pbs.*'
for isa in default avx2; do
  if [[ $isa == default ]]; then unset VEIL_CPU; else export VEIL_CPU=$isa; fi
  step "cpu-$isa" "$(allow 60)" "$bin/veil_fhe_tests" --gtest_filter="$cpu_filter" > "$work/cpu-$isa.log" 2>&1
  { echo "=== CPU kernels, VEIL_CPU=$isa"; cat "$work/cpu-$isa.log"; } >> "$out/tests.log"
  grep -E '^\[  (PASSED|FAILED) |Failure|kernels run' "$work/cpu-$isa.log" | head -10 | sed "s/^/VEIL_CPU=$isa: /" | tee -a "$summary"
done
unset VEIL_CPU

# 3. Throughput on the ResNet-18 sets (batches 1, 1024, 4096; QUICK: the vetted set at 4096), the
# 1-level 7-bit set and key switching, on the default blind rotation (the cuFFT path).
sets='v0_128_p5_L14_pe2m40|opt128_p7_nrm12763_pe0.05_cms_concrete_v0' batches='1|1024|4096'
[[ ${QUICK:-} == 1 ]] && sets='v0_128_p5_L14_pe2m40' batches='4096'
step bench "$(allow 150)" "$bin/veil_fhe_bench" \
  --benchmark_filter="cuda_pbs_batch/($sets)/($batches)/|cuda_pbs_batch/v0_128_p7_L0_pe0.05/4096/|cuda_keyswitch_batch/v0_128_p5_L14" \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json > "$out/bench.log" 2>&1
grep -E '^cuda_|ERROR' "$out/bench.log" | tee -a "$summary"
# 3b. The same sets and batches on the fused kernel (appended to bench.log), when its tests
# passed; the images below take the faster path on the ResNet-18 set at batch 4096.
if ((fused_ok)); then
  VEIL_CUDA_PBS=fused step bench-fused "$(allow 90)" "$bin/veil_fhe_bench" \
    --benchmark_filter="cuda_pbs_batch/($sets)/($batches)/" \
    --benchmark_out="$out/bench-fused.json" --benchmark_out_format=json > "$work/bench-fused.log" 2>&1
  cat "$work/bench-fused.log" >> "$out/bench.log"
  grep -E '^cuda_|ERROR' "$work/bench-fused.log" | sed 's/^/VEIL_CUDA_PBS=fused: /' | tee -a "$summary"
  rate() {  # PBS per second of the ResNet-18 set at batch 4096 in a benchmark JSON file (0 if absent)
    python3 -c 'import json,sys
runs=[b for b in json.load(open(sys.argv[1]))["benchmarks"] if b["name"].startswith("cuda_pbs_batch/v0_128_p5_L14_pe2m40/4096/")]
print(int(runs[0]["per_s"]) if runs else 0)' "$1" 2>/dev/null || echo 0
  }
  cufft=$(rate "$out/bench.json") fused=$(rate "$out/bench-fused.json")
  if ((fused > cufft)); then export VEIL_CUDA_PBS=fused; fi
  say "blind rotation for the images: ${VEIL_CUDA_PBS:-legacy} (ResNet-18 set at 4096: fused $fused, cuFFT path $cufft PBS/s)"
else
  say "blind rotation for the images: legacy (the fused kernel failed or skipped its tests)"
fi

# 3c. The linear layers (Backend::linear_batch) on ResNet-18-shaped rows, CPU (all cores) and
# device (upload and download included), appended to bench.log.
if [[ ${QUICK:-} != 1 ]]; then
  step bench-linear "$(allow 45)" "$bin/veil_fhe_bench" --benchmark_filter='linear_batch/' > "$work/bench-linear.log" 2>&1
  cat "$work/bench-linear.log" >> "$out/bench.log"
  grep -E '^linear_batch|ERROR' "$work/bench-linear.log" | tee -a "$summary"
fi

# 4. The encrypted ResNet-18 on the 16x16 centre crop (15,616 PBS), next to its simulation.
run=("$bin/resnet18_fhe" --weights "$weights" --num-images 1 --quant-mode improved --run-fhe --fhe-images 1 --use-gpu)
step e2e16 "$(allow 120)" "${run[@]}" --fhe-crop 16 --fhe-layers "$work/layers16.csv" > "$out/e2e16.log" 2>&1
cat "$work/layers16.csv" >> "$out/e2e16.log" 2>/dev/null
grep -E 'backend:|Key generation took|FHE execution completed|top 5 labels|Simulated again|equals the simulation|mean time per image|peak resident|rror' "$out/e2e16.log" | tee -a "$summary"

# 5. The full 224x224 image (2,899,456 PBS) for the time left: progress every 5 s gives the rate.
# With IMAGE=detach it outlives this call (gpu-full-image.sh, whose `wait` call collects it).
if [[ ${IMAGE:-} == detach ]]; then
  SKIP_TESTS=1 BUDGET=$(allow 600 10) bash scripts/gpu-full-image.sh start
  say "full image started detached (make the call: bash scripts/gpu-full-image.sh wait)"
else
  seconds=$(allow 900 10)
  if ((seconds > 60)); then
    step full224 "$seconds" "${run[@]}" --fhe-layers "$work/layers224.csv" > "$out/full224.log" 2>&1
    cat "$work/layers224.csv" >> "$out/full224.log" 2>/dev/null
    grep -E 'estimated FHE time|FHE execution completed|top 5 labels|equals the simulation|peak resident|rror' "$out/full224.log" | tee -a "$summary"
    grep 'PBS/s' "$out/full224.log" | tail -2 | tee -a "$summary"
  fi
fi
say "done: CUDA tests $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
