#!/usr/bin/env python3
"""Chooses the improved mode's p_error for fine reads (app/flags/mode_reads.hpp) on a checkpoint.

The improved mode reads 10 accumulator bits under the noise of a 7-bit read (docs/fhe_compiler.md,
"Fine reads") and corrects its rounded weights' bias. A looser p_error makes the program cheaper;
the finer reads and the corrected bias pay for some of the extra noise. This procedure measures,
over several simulation seeds, every candidate p_error against the baseline (7-bit reads at
p_error 0.05, the reference's setting, no bias correction) on the evaluation images, with the
compiled per-site rates, and keeps the cheapest candidate that is no worse:
  - mean relative L2 error of the logits against fp32 at most the baseline's, and
  - mean top-1 agreement with fp32 at least the baseline's minus one standard error of the paired
    (same seed) differences.
Run it again on the official weights (docs/fhe_compiler.md, "Choosing the improved mode's reads"):
  python3 tools/choose_fine_reads.py --seeds 10 -- --weights resnet18-f37072fd.pth
Arguments after "--" go to every resnet18_fhe run (weights, dataset, --num-images ...);
--candidate-flags go to the candidates' runs only (default --bias-correction, the improved mode's
default), e.g. --candidate-flags=--no-bias-correction for fine reads alone.
"""
import argparse
import json
import math
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile

BASELINE = ["--rounding-bits", "7", "--p-error", "0.05", "--p-error-bits", "7", "--no-bias-correction"]
AGREEMENT = re.compile(r"top-1 agreement with fp32: [0-9.]+% \((\d+)/(\d+) images\)")
LOGITS = re.compile(r"logits against fp32: cosine ([0-9.]+), relative L2 error ([0-9.]+)")


def run(binary, flags, seed, extra):
    """(simulated top-1 agreements, images, mean relative L2, cost_units) of one improved-mode run."""
    with tempfile.TemporaryDirectory() as tmp:
        stats = os.path.join(tmp, "statistics.json")
        command = [binary, "--quant-mode", "improved", "--no-progress", "--simulation-seed", str(seed),
                   "--export-statistics", stats] + flags + extra
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
        agreements, logits = AGREEMENT.findall(done.stdout), LOGITS.findall(done.stdout)
        if len(agreements) < 2 or len(logits) < 2:
            sys.exit(f"{' '.join(command)}: no simulated agreement in its report:\n{done.stdout}")
        # The clear model's lines come first, the simulation's second.
        hits, images = map(int, agreements[1])
        with open(stats) as f:
            cost = json.load(f)["cost_units"]
        return hits, images, float(logits[1][1]), cost


def measure(binary, flags, seeds, extra, label):
    runs = [run(binary, flags, seed, extra) for seed in range(seeds)]
    print(f"  {label}: cost {runs[0][3]:.4g}, top-1 {[r[0] for r in runs]}, "
          f"L2 {statistics.mean(r[2] for r in runs):.4f}", file=sys.stderr)
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/apps/resnet18_fhe")
    parser.add_argument("--seeds", type=int, default=5, help="simulation seeds per setting (default 5)")
    parser.add_argument("--candidates", default="0.068,0.072,0.08,0.09,0.1,0.12",
                        help="p_error values stated for 7-bit reads, tried with 10-bit reads")
    parser.add_argument("--candidate-flags", default="--bias-correction",
                        help="flags for the candidates' runs only (default --bias-correction; the baseline "
                             "stays 7-bit reads at 0.05 without it)")
    parser.add_argument("extra", nargs="*", help="after --: flags for every resnet18_fhe run")
    args = parser.parse_args()
    if args.seeds < 2:
        sys.exit("--seeds: at least 2 (the rule needs a standard error)")
    print(f"baseline: 7-bit reads at p_error 0.05, {args.seeds} seeds", file=sys.stderr)
    base = measure(args.binary, BASELINE, args.seeds, args.extra, "baseline")
    base_l2 = statistics.mean(r[2] for r in base)
    rows, chosen = [], None
    for p in sorted(float(c) for c in args.candidates.split(",")):
        flags = ["--rounding-bits", "10", "--p-error", repr(p), "--p-error-bits", "7"]
        flags += shlex.split(args.candidate_flags)
        runs = measure(args.binary, flags, args.seeds, args.extra, f"10-bit reads at {p} {args.candidate_flags}")
        diffs = [r[0] - b[0] for r, b in zip(runs, base)]
        mean_diff = statistics.mean(diffs)
        se = statistics.stdev(diffs) / math.sqrt(len(diffs))
        l2 = statistics.mean(r[2] for r in runs)
        ok = l2 <= base_l2 and mean_diff >= -se
        rows.append((p, runs[0][3], statistics.mean(r[0] for r in runs), mean_diff, se, l2, ok))
        if ok and (chosen is None or runs[0][3] < chosen[1]):
            chosen = rows[-1]
    images = base[0][1]
    print(f"\n| setting | cost units | simulated top-1 (of {images}) | paired difference (s.e.) | rel. L2 | no worse |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| 7-bit reads at 0.05 | {base[0][3]:.4g} | {statistics.mean(r[0] for r in base):.1f} | | {base_l2:.4f} | |")
    for p, cost, top1, diff, se, l2, ok in rows:
        print(f"| 10-bit reads at {p} {args.candidate_flags}| {cost:.4g} | {top1:.1f} | {diff:+.1f} ({se:.1f}) | {l2:.4f} | "
              f"{'yes' if ok else 'no'} |")
    if chosen is None:
        print("\nNo candidate is no worse than the baseline: keep 7-bit reads at 0.05.")
    else:
        print(f"\nChosen: 10-bit reads at p_error {chosen[0]} as a 7-bit read {args.candidate_flags}, cost {chosen[1]:.4g} "
              f"({base[0][3] / chosen[1]:.2f}x below the baseline).")


if __name__ == "__main__":
    main()
