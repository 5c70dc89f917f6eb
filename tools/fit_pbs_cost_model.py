#!/usr/bin/env python3
"""Fits veil's PBS cost model (src/fhe/params/pbs_cost_model.cpp) on the calibration benchmark.

Usage:
  build/bench/veil_fhe_bench --benchmark_filter=calibration --benchmark_repetitions=3 \
      --benchmark_report_aggregates_only=true --benchmark_out=calib.json --benchmark_out_format=json
  python3 tools/fit_pbs_cost_model.py calib.json

Model (CPU microseconds of one PBS on one core, key switch included, in the runtime's batch path):
  t = n * (a * (k+1)(l+1) N log2 N + b * (k+1)^2 l N) + c * k N l_ks (n+1)
c is fitted on the grouped key-switch times (per ciphertext) alone, then a and b on the batch PBS
times (per PBS) minus c's share; both fits minimise the relative error. Prints the constants and a
markdown table for docs/parameters.md (single-call times beside the batch ones).
"""
import json
import math
import sys

import numpy as np


def median_cpu_microseconds(benchmarks):
    """{(kind, set name): (median CPU time in µs, counters)} from Google Benchmark's JSON."""
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    out = {}
    for b in benchmarks:
        if b.get("aggregate_name") not in (None, "median"):
            continue
        parts = b["run_name"].split("/")
        if parts[0] != "calibration":
            continue
        per_item = {"pbs_batch": "pbs_us", "keyswitch_group": "per_ct_us"}.get(parts[1])
        value = b[per_item] if per_item else b["cpu_time"] * scale[b["time_unit"]]
        out[(parts[1], parts[2])] = (value, b)
    return out


def main(path):
    with open(path) as f:
        report = json.load(f)
    times = median_cpu_microseconds(report["benchmarks"])
    names = [name for kind, name in times if kind == "pbs"]
    shapes = []
    for name in names:
        c = times[("pbs", name)][1]
        k, N, n, l, ks_l = (int(round(c[key])) for key in ("k", "N", "n", "br_l", "ks_l"))
        shapes.append((k, N, n, l, ks_l))
    ks_work = np.array([k * N * ks_l * (n + 1) for k, N, n, l, ks_l in shapes], dtype=float)
    ks_time = np.array([times[("keyswitch_group", name)][0] for name in names])
    pbs_time = np.array([times[("pbs_batch", name)][0] for name in names])
    # One constant, relative least squares: minimise sum((c*w/t - 1)^2).
    c = np.sum(ks_work / ks_time) / np.sum((ks_work / ks_time) ** 2)
    X = np.array([[n * (k + 1) * (l + 1) * N * math.log2(N), n * (k + 1) ** 2 * l * N]
                  for k, N, n, l, ks_l in shapes])
    weights = 1 / pbs_time
    (a, b), *_ = np.linalg.lstsq(X * weights[:, None], (pbs_time - c * ks_work) * weights, rcond=None)
    predicted = X @ np.array([a, b]) + c * ks_work
    print(f"kVeilFftMicroseconds = {a:.5g}; kVeilMacMicroseconds = {b:.5g}; kVeilKeyswitchMicroseconds = {c:.5g}")
    print("| set | k | N | n | br_l | ks_l | CMux µs | KS ms (single) | KS ms (group) | PBS ms (single) | "
          "PBS ms (batch) | model ms | error |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    errors = []
    for name, (k, N, n, l, ks_l), t, p in zip(names, shapes, pbs_time, predicted):
        errors.append(p / t - 1)
        print(f"| `{name}` | {k} | {N} | {n} | {l} | {ks_l} | {times[('external_product', name)][0]:.1f} | "
              f"{times[('keyswitch', name)][0] / 1e3:.2f} | {times[('keyswitch_group', name)][0] / 1e3:.2f} | "
              f"{times[('pbs', name)][0] / 1e3:.1f} | {t / 1e3:.1f} | {p / 1e3:.1f} | {100 * (p / t - 1):+.0f}% |")
    print(f"rms relative error {100 * math.sqrt(np.mean(np.square(errors))):.1f}%, "
          f"max {100 * max(abs(e) for e in errors):.0f}%")


if __name__ == "__main__":
    main(sys.argv[1])
