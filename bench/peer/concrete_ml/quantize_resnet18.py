#!/usr/bin/env python3
"""Concrete ML on veil's checkpoint and images: the peer's quantized and simulated accuracy.

Runs the reference flow's middle stages (Concrete ML's ResNet-18 example, seed settings) on a
torch.save'd ResNet-18 state_dict and the labelled val100 images, with the same image split
as veil's resnet18_fhe CLI:
  calibration = the first --calibration images of the labels CSV (sorted by file name),
  evaluation  = the images after them (at most --num-images).
Prints a summary on stderr and writes one JSON file (--out) holding the settings, timings,
accuracies, the circuit's PBS statistics and every evaluated image's top-5 for fp32, quantized
(fhe="disable") and simulated (fhe="simulate") execution, so veil's results can be compared
image by image.
"""
import argparse
import csv
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms


def parse_n_bits(text):
    """'7' or 'inputs,op_inputs,op_weights,outputs' -> Concrete ML's n_bits argument."""
    parts = [int(p) for p in text.split(",")]
    if len(parts) == 1:
        return parts[0]
    if len(parts) != 4:
        raise argparse.ArgumentTypeError("--n-bits: expected N or 4 comma-separated integers, got %r" % text)
    return dict(zip(("model_inputs", "op_inputs", "op_weights", "model_outputs"), parts))


def parse_rounding(text):
    if text == "none":
        return None
    return int(text)


def seed_preprocess():
    """The seed's (torchvision's) ImageNet evaluation transforms."""
    return transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])


def load_split(data_dir, calibration, num_images):
    """Rows of the labels CSV sorted by file name: (calibration rows, evaluation rows)."""
    with open(os.path.join(data_dir, "labels", "xiaobozhao_val100.csv"), newline="") as f:
        rows = sorted(((r["file"], int(r["label"])) for r in csv.DictReader(f)), key=lambda r: r[0])
    calib, evaluation = rows[:calibration], rows[calibration:]
    if num_images:
        evaluation = evaluation[:num_images]
    return calib, evaluation


def load_images(data_dir, rows):
    pre = seed_preprocess()
    tensors = []
    for name, _ in rows:
        with open(os.path.join(data_dir, "imagenet-val100", name), "rb") as f:
            tensors.append(pre(Image.open(f).convert("RGB")))
    return torch.stack(tensors)


def make_model(weights):
    """torchvision resnet18 with the seed's AvgPool2d(7, 1, 0) head, eval mode."""
    model = torchvision.models.resnet18(weights=None)
    model.avgpool = torch.nn.AvgPool2d(kernel_size=7, stride=1, padding=0)
    model.load_state_dict(torch.load(weights, map_location="cpu"))
    return model.eval()


def top5(logits):
    """Top-5 class indices per row, ties broken towards the lower index like veil's make_top_k."""
    order = np.lexsort((np.broadcast_to(np.arange(logits.shape[1]), logits.shape), -logits), axis=1)
    return order[:, :5]


def accuracy(tops, labels):
    tops = np.asarray(tops)
    labels = np.asarray(labels)
    return {
        "top1": float(np.mean(tops[:, 0] == labels)),
        "top5": float(np.mean([label in row for row, label in zip(tops, labels)])),
    }


def agreement(tops, reference):
    """Fraction of images whose top-1 equals the reference's top-1."""
    return float(np.mean(np.asarray(tops)[:, 0] == np.asarray(reference)[:, 0]))


def run_quantized(q_module, inputs, fhe, label):
    """Runs q_module.forward image by image (keeps memory flat); returns logits and seconds."""
    start = time.time()
    outputs = []
    for i in range(inputs.shape[0]):
        outputs.append(q_module.forward(inputs[i:i + 1], fhe=fhe))
        done = i + 1
        elapsed = time.time() - start
        print("\r  %s: %d/%d images, %.1f s/image" % (label, done, inputs.shape[0], elapsed / done),
              end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return np.concatenate(outputs, axis=0), time.time() - start


def circuit_statistics(circuit):
    """The PBS figures concrete-python exposes (names vary across versions; absent ones skipped)."""
    stats = {}
    for name in ("programmable_bootstrap_count", "programmable_bootstrap_count_per_parameter",
                 "key_switch_count", "complexity", "size_of_bootstrap_keys", "size_of_keyswitch_keys",
                 "p_error", "global_p_error"):
        try:
            value = getattr(circuit, name)
        except Exception:  # a statistic this concrete-python cannot compute
            continue
        if isinstance(value, dict):
            value = {str(k): v for k, v in value.items()}
        stats[name] = value
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True, help="torch.save'd ResNet-18 state_dict (.pth)")
    parser.add_argument("--data", required=True, help="shared data folder (imagenet-val100/, labels/)")
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--calibration", type=int, default=10, help="calibration images (default 10)")
    parser.add_argument("--num-images", type=int, default=0, help="evaluation images (default: all after calibration)")
    parser.add_argument("--simulate-images", type=int, default=None,
                        help="images run with fhe='simulate' (default: all evaluation images; 0 skips)")
    parser.add_argument("--n-bits", type=parse_n_bits, default=parse_n_bits("8,7,7,9"))
    parser.add_argument("--rounding-bits", type=parse_rounding, default=7, help="int or 'none' (default 7)")
    parser.add_argument("--rounding-method", choices=("APPROXIMATE", "EXACT"), default="APPROXIMATE")
    parser.add_argument("--p-error", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the fp32 model")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from concrete.fhe import Configuration
    from concrete.ml.torch.compile import compile_torch_model
    import concrete.ml

    calib_rows, eval_rows = load_split(args.data, args.calibration, args.num_images)
    calib = load_images(args.data, calib_rows)
    inputs = load_images(args.data, eval_rows)
    labels = [label for _, label in eval_rows]
    model = make_model(args.weights)
    with torch.no_grad():
        fp32_logits = model(inputs).numpy()
    fp32_top5 = top5(fp32_logits)

    rounding = None
    if args.rounding_bits is not None:
        rounding = {"n_bits": args.rounding_bits, "method": args.rounding_method}
    print("Compiling with compile_torch_model (n_bits %s, rounding %s, p_error %g)..."
          % (args.n_bits, rounding, args.p_error), file=sys.stderr)
    start = time.time()
    q_module = compile_torch_model(
        model, calib.numpy(), n_bits=args.n_bits, rounding_threshold_bits=rounding, p_error=args.p_error,
        configuration=Configuration(enable_tlu_fusing=True, print_tlu_fusing=False))
    compile_s = time.time() - start
    print("  compiled in %.1f s" % compile_s, file=sys.stderr)

    x = inputs.numpy()
    q_logits, q_seconds = run_quantized(q_module, x, "disable", "quantized (fhe=disable)")
    q_top5 = top5(q_logits)
    n_sim = len(eval_rows) if args.simulate_images is None else min(args.simulate_images, len(eval_rows))
    sim_top5, sim_seconds = np.zeros((0, 5), dtype=np.int64), 0.0
    if n_sim:
        sim_logits, sim_seconds = run_quantized(q_module, x[:n_sim], "simulate", "simulation (fhe=simulate)")
        sim_top5 = top5(sim_logits)

    result = {
        "concrete_ml_version": concrete.ml.__version__,
        "weights": os.path.abspath(args.weights),
        "settings": {"n_bits": args.n_bits, "rounding_threshold_bits": rounding, "p_error": args.p_error,
                     "enable_tlu_fusing": True},
        "calibration_images": [name for name, _ in calib_rows],
        "compile_seconds": compile_s,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "circuit": circuit_statistics(q_module.fhe_circuit),
        "fp32": accuracy(fp32_top5, labels),
        "quantized": dict(accuracy(q_top5, labels), agreement_with_fp32=agreement(q_top5, fp32_top5),
                          images=len(eval_rows), seconds_per_image=q_seconds / len(eval_rows)),
        "simulated": dict(accuracy(sim_top5, labels[:n_sim]) if n_sim else {},
                          agreement_with_fp32=agreement(sim_top5, fp32_top5[:n_sim]) if n_sim else None,
                          agreement_with_quantized=agreement(sim_top5, q_top5[:n_sim]) if n_sim else None,
                          images=n_sim, seconds_per_image=sim_seconds / n_sim if n_sim else None),
        "images": [
            {"file": name, "label": label, "fp32_top5": fp32_top5[i].tolist(), "quantized_top5": q_top5[i].tolist(),
             "simulated_top5": sim_top5[i].tolist() if i < n_sim else None}
            for i, (name, label) in enumerate(eval_rows)
        ],
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    for stage in ("fp32", "quantized", "simulated"):
        r = result[stage]
        if "top1" in r:
            print("%-9s top-1 %.2f%%  top-5 %.2f%%  agreement with fp32 top-1 %s" % (
                stage, 100 * r["top1"], 100 * r["top5"],
                "-" if stage == "fp32" else "%.2f%%" % (100 * r["agreement_with_fp32"])), file=sys.stderr)
    print("PBS count: %s" % result["circuit"].get("programmable_bootstrap_count"), file=sys.stderr)
    print("wrote", args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
