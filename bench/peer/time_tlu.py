#!/usr/bin/env python3
"""Times the peer (concrete-python) on one programmable bootstrapping: a table lookup
on an encrypted p-bit integer. Prints JSON lines to stdout: one `env` line, then one
`tlu` line per (precision, p_error) with the parameters Concrete's optimizer chose,
key generation time, evaluation-key size, single-call latency and the marginal cost
of one more lookup in a batch. Progress goes to stderr.

Run through bench/peer/run.sh, which sets the single-thread environment first.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bits", type=int, nargs="+", default=[6, 7, 8],
                        help="precisions p of the encrypted input (default: 6 7 8)")
    parser.add_argument("--p-error", type=float, nargs="+", default=[0.05],
                        help="failure probability per PBS (default 0.05; 2^-40 = 9.094947e-13)")
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed calls per circuit; the median is reported (default 7)")
    parser.add_argument("--batch", type=int, default=64,
                        help="lookups in the batch circuit used for the marginal cost; 0 skips it")
    parser.add_argument("--no-key-bytes", action="store_true",
                        help="skip serializing the evaluation keys to measure their size in bytes")
    return parser.parse_args()


def log(message):
    print(f"time_tlu: {message}", file=sys.stderr, flush=True)


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def configuration(fhe, p_error):
    # One thread: loop and dataflow parallelism off; OMP/RAYON limits come from run.sh.
    return fhe.Configuration(p_error=p_error, global_p_error=None,
                             loop_parallelize=False, dataflow_parallelize=False,
                             auto_parallelize=False, single_precision=True,
                             show_progress=False)


def chosen_parameters(circuit):
    """The optimizer's choice, read from the compiled program's key set."""
    keyset = json.loads(circuit.server.program_info.serialize())["keyset"]
    bsks = [{"n": b["params"]["inputLweDimension"], "k": b["params"]["glweDimension"],
             "N": b["params"]["polynomialSize"], "pbs_base_log": b["params"]["baseLog"],
             "pbs_level": b["params"]["levelCount"]} for b in keyset["lweBootstrapKeys"]]
    ksks = [{"ks_base_log": k["params"]["baseLog"], "ks_level": k["params"]["levelCount"],
             "ks_from": k["params"]["inputLweDimension"], "ks_to": k["params"]["outputLweDimension"]}
            for k in keyset["lweKeyswitchKeys"]]
    return bsks, ksks


def timed(function):
    start = time.perf_counter()
    cpu_start = time.process_time()
    result = function()
    return result, time.perf_counter() - start, time.process_time() - cpu_start


def time_runs(circuit, encrypted, repeats):
    """Median wall time of `repeats` runs after one warm-up, and CPU/wall ratio."""
    circuit.run(encrypted)
    walls, cpus = [], []
    result = None
    for _ in range(repeats):
        result, wall, cpu = timed(lambda: circuit.run(encrypted))
        walls.append(wall)
        cpus.append(cpu)
    return result, statistics.median(walls), sum(cpus) / sum(walls)


def measure(fhe, np, bits, p_error, args):
    size = 2 ** bits
    values = [(7 * x + 3) % size for x in range(size)]  # a permutation: every output differs
    table = fhe.LookupTable(values)
    config = configuration(fhe, p_error)

    @fhe.compiler({"x": "encrypted"})
    def lookup(x):
        return table[x]

    log(f"p={bits} p_error={p_error:g}: compiling")
    circuit, compile_s, _ = timed(lambda: lookup.compile(range(size), configuration=config))
    bsks, ksks = chosen_parameters(circuit)
    _, keygen_s, _ = timed(lambda: circuit.keygen(force=True))
    key_bytes = None
    if not args.no_key_bytes:
        key_bytes = len(circuit.keys.evaluation.serialize())

    x = size // 3
    encrypted, encrypt_s, _ = timed(lambda: circuit.encrypt(x))
    log(f"p={bits} p_error={p_error:g}: {args.repeats} single calls")
    result, single_s, single_cpu_ratio = time_runs(circuit, encrypted, args.repeats)
    decrypted = circuit.decrypt(result)

    record = {
        "kind": "tlu", "peer": "concrete-python", "precision_bits": bits, "p_error_target": p_error,
        "p_error_per_pbs": circuit.p_error, "pbs_count": circuit.programmable_bootstrap_count,
        "bootstrap_keys": bsks, "keyswitch_keys": ksks,
        "compile_s": round(compile_s, 4), "keygen_s": round(keygen_s, 4),
        "bootstrap_key_bytes": circuit.size_of_bootstrap_keys,
        "keyswitch_key_bytes": circuit.size_of_keyswitch_keys,
        "eval_key_serialized_bytes": key_bytes,
        "encrypt_s": round(encrypt_s, 6), "single_call_median_s": round(single_s, 6),
        "single_call_cpu_per_wall": round(single_cpu_ratio, 3),
        "single_call_correct": int(decrypted) == values[x], "repeats": args.repeats,
    }
    circuit.cleanup()

    if args.batch > 1:
        @fhe.compiler({"x": "encrypted"})
        def lookup_batch(x):
            return table[x]

        # Every row covers all inputs, so the batch needs the same precision as the scalar.
        inputset = [np.array([(i + j) % size for j in range(args.batch)]) for i in range(size)]
        log(f"p={bits} p_error={p_error:g}: batch of {args.batch}")
        batch_circuit = lookup_batch.compile(inputset, configuration=config)
        batch_circuit.keygen(force=True)
        xs = np.arange(args.batch) % size
        encrypted_batch = batch_circuit.encrypt(xs)
        batch_repeats = max(1, args.repeats // 2)
        result, batch_s, batch_cpu_ratio = time_runs(batch_circuit, encrypted_batch, batch_repeats)
        decrypted = batch_circuit.decrypt(result)
        record.update({
            "batch": args.batch, "batch_pbs_count": batch_circuit.programmable_bootstrap_count,
            "batch_bootstrap_keys": chosen_parameters(batch_circuit)[0],
            "batch_median_s": round(batch_s, 6), "batch_repeats": batch_repeats,
            "batch_cpu_per_wall": round(batch_cpu_ratio, 3),
            "marginal_pbs_s": round((batch_s - single_s) / (args.batch - 1), 6),
            "batch_correct": int(sum(int(d) == values[int(v)] for d, v in zip(decrypted, xs))),
        })
        batch_circuit.cleanup()
    return record


def main():
    args = parse_args()
    warnings.filterwarnings("ignore")  # concrete imports pkg_resources, which warns
    import numpy as np
    from concrete import fhe

    print(json.dumps({
        "kind": "env", "peer": "concrete-python", "version": fhe.__version__,
        "python": platform.python_version(), "cpu": cpu_model(), "cpus_online": os.cpu_count(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "RAYON_NUM_THREADS": os.environ.get("RAYON_NUM_THREADS"),
    }), flush=True)
    for p_error in args.p_error:
        for bits in args.bits:
            print(json.dumps(measure(fhe, np, bits, p_error, args)), flush=True)


if __name__ == "__main__":
    main()
