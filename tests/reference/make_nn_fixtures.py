#!/usr/bin/env python3
"""Reference data for veil's nn tests, made with PyTorch/torchvision (Debian's python3-torch).

Writes under OUT/nn/:
  resnet18_synthetic.pth        torch.save of a seeded torchvision resnet18() state_dict with
                                randomized BatchNorm statistics (a checkpoint in torchvision's format)
  resnet18_synthetic.tensors    the same state_dict as raw tensors (see write_raw_state_dict)
  val100_inputs.f32             [100,3,224,224] torchvision-preprocessed val100 images
  val100_logits.f32             [100,1000] PyTorch fp32 logits of the synthetic model (eval mode)
  val100_files.txt              the image file names, one per line, in tensor order
  dog_input.f32                 [1,3,224,224] preprocessed testvectors/dog.jpg
  dog_logits.f32                [1,1000] synthetic-model logits of dog_input

Standalone use (makes a synthetic checkpoint DIR/nn/resnet18_synthetic.pth for the
resnet18_fhe CLI when the official weights are absent):
  /usr/bin/python3 tests/reference/make_nn_fixtures.py --out DIR --weights-only

With --varied (needs --data) it also writes DIR/nn/resnet18_varied.pth: the same network with
fc.bias centred on the mean logits of the first CALIBRATION_IMAGES val100 images (the ones the
CLI calibrates on and does not evaluate). The plain synthetic network ranks the same two classes
first for most images, so top-1 agreement on it is nearly free; on the varied one the fp32 top-1
changes from image to image, and agreement measures something.

With --sparse it also writes DIR/nn/resnet18_sparse.pth, the full-size check's network
(scripts/check-full-size.sh): every conv output channel reads SPARSE_NONZEROS inputs at +-1.
"""
import argparse
import os
import struct

import torch
import torchvision
from PIL import Image
from torchvision import transforms

SEED = 20240607
CALIBRATION_IMAGES = 10  # resnet18_fhe's default --calibration-images
SPARSE_NONZEROS = 2  # --sparse: inputs read per conv output channel


def make_model():
    """torchvision resnet18 (weights=None) with the seed's AvgPool2d(7,1,0) and non-trivial BN."""
    torch.manual_seed(SEED)
    model = torchvision.models.resnet18(weights=None)
    model.avgpool = torch.nn.AvgPool2d(kernel_size=7, stride=1, padding=0)
    gen = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                c = module.num_features
                module.running_mean.copy_((torch.rand(c, generator=gen) - 0.5) * 0.2)   # +-0.1
                module.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=gen))      # [0.5, 2]
                module.weight.copy_(0.5 + torch.rand(c, generator=gen))                 # [0.5, 1.5]
                module.bias.copy_((torch.rand(c, generator=gen) - 0.5) * 0.4)           # +-0.2
    model.eval()
    return model


def write_raw_state_dict(state_dict, path):
    """Text header line per tensor 'name ndim d0 d1 ...', a line 'END', then all float32 data in order."""
    with open(path, "wb") as f:
        for name, t in state_dict.items():
            f.write(("%s %d %s\n" % (name, t.dim(), " ".join(str(d) for d in t.shape))).encode())
        f.write(b"END\n")
        for t in state_dict.values():
            f.write(t.detach().to(torch.float32).contiguous().numpy().tobytes())


def preprocess():
    return transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])


def load_rgb(path):
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


def write_f32(tensor, path):
    with open(path, "wb") as f:
        f.write(tensor.detach().to(torch.float32).contiguous().numpy().tobytes())


def val100_files(data):
    image_dir = os.path.join(data, "imagenet-val100")
    return [os.path.join(image_dir, n) for n in sorted(os.listdir(image_dir)) if n.upper().endswith(".JPEG")]


def write_varied_checkpoint(model, data, path):
    """The model with fc.bias minus the mean logits of the calibration images (see the docstring)."""
    if data is None or not os.path.isdir(os.path.join(data, "imagenet-val100")):
        raise SystemExit("--varied needs --data with imagenet-val100")
    pre = preprocess()
    inputs = torch.stack([pre(load_rgb(f)) for f in val100_files(data)[:CALIBRATION_IMAGES]])
    state_dict = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        state_dict["fc.bias"] -= model(inputs).mean(dim=0)
    torch.save(state_dict, path)
    print("wrote", path)


def write_sparse_checkpoint(model, path, nonzeros=SPARSE_NONZEROS):
    """The model with every conv's output channels reading `nonzeros` inputs with weight +-1:
    quantized at 2 bits without lookup rounding, every accumulator of the 224 x 224 network fits
    the full-size check's 6-bit toy set (bench/full_size/full_size_check.cpp)."""
    gen = torch.Generator().manual_seed(SEED + 2)
    state_dict = {k: v.clone() for k, v in model.state_dict().items()}
    for name, w in state_dict.items():
        if name.endswith("weight") and w.dim() == 4:
            flat = torch.zeros(w.shape[0], w[0].numel())
            for c in range(w.shape[0]):
                taps = torch.randperm(flat.shape[1], generator=gen)[:nonzeros]
                flat[c, taps] = torch.where(torch.rand(nonzeros, generator=gen) < 0.5, -1.0, 1.0)
            state_dict[name] = flat.reshape(w.shape)
    torch.save(state_dict, path)
    print("wrote", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output root; files go to OUT/nn/")
    parser.add_argument("--data", default=None, help="shared data folder (imagenet-val100, testvectors)")
    parser.add_argument("--weights-only", action="store_true", help="write only the checkpoint(s)")
    parser.add_argument("--varied", action="store_true", help="also write resnet18_varied.pth (needs --data)")
    parser.add_argument("--sparse", action="store_true", help="also write resnet18_sparse.pth (the full-size check's)")
    args = parser.parse_args()
    torch.set_num_threads(2)

    out = os.path.join(args.out, "nn")
    os.makedirs(out, exist_ok=True)
    model = make_model()
    state_dict = model.state_dict()
    torch.save(state_dict, os.path.join(out, "resnet18_synthetic.pth"))
    print("wrote", os.path.join(out, "resnet18_synthetic.pth"))
    if args.varied:
        write_varied_checkpoint(model, args.data, os.path.join(out, "resnet18_varied.pth"))
    if args.sparse:
        write_sparse_checkpoint(model, os.path.join(out, "resnet18_sparse.pth"))
    if args.weights_only:
        return
    write_raw_state_dict(state_dict, os.path.join(out, "resnet18_synthetic.tensors"))

    if args.data is None or not os.path.isdir(os.path.join(args.data, "imagenet-val100")):
        print("no shared data folder: image fixtures skipped")
        return
    pre = preprocess()
    paths = val100_files(args.data)
    files = [os.path.basename(p) for p in paths]
    inputs = torch.stack([pre(load_rgb(p)) for p in paths])
    with torch.no_grad():
        logits = model(inputs)
    write_f32(inputs, os.path.join(out, "val100_inputs.f32"))
    write_f32(logits, os.path.join(out, "val100_logits.f32"))
    with open(os.path.join(out, "val100_files.txt"), "w") as f:
        f.write("".join(n + "\n" for n in files))

    dog = pre(load_rgb(os.path.join(args.data, "testvectors", "dog.jpg"))).unsqueeze(0)
    with torch.no_grad():
        dog_logits = model(dog)
    write_f32(dog, os.path.join(out, "dog_input.f32"))
    write_f32(dog_logits, os.path.join(out, "dog_logits.f32"))
    print("wrote %d image fixtures to %s" % (len(files), out))


if __name__ == "__main__":
    main()
