#!/usr/bin/env python3
"""Reference data for veil's io tests, made with PIL, torchvision and torch.save.

Writes under OUT/io/:
  preprocess/  torchvision's Resize(256)+CenterCrop(224) of every val100 image (uint8 HWC)
               and ToTensor+Normalize of the first few (float32 CHW)
  images/      small PNG/JPEG files in many modes, with PIL's convert("RGB") pixels
  checkpoints/ torch.save state_dicts (dtypes, strided views, offsets, deflate) with their
               values as text, and deliberately malformed checkpoints
  tars/        webdataset shards written by Python's tarfile (GNU and pax long names)
Deterministic: every random value comes from seeded generators (seed 1234).
"""
import argparse
import collections
import io
import os
import pickle
import tarfile
import zipfile

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

SEED = 1234
NORMALIZED_COUNT = 3


def write_preprocess(out, data):
    images_dir = os.path.join(data, "imagenet-val100")
    files = sorted(f for f in os.listdir(images_dir) if f.lower().endswith((".jpeg", ".jpg")))
    files = [os.path.join(images_dir, f) for f in files]
    dog = os.path.join(data, "testvectors", "dog.jpg")
    if os.path.exists(dog):
        files.append(dog)
    resize_crop = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    to_tensor = transforms.Compose([
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    target = os.path.join(out, "preprocess")
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "index.txt"), "w") as index, \
            open(os.path.join(target, "crops_u8.bin"), "wb") as crops, \
            open(os.path.join(target, "normalized_f32.bin"), "wb") as normalized:
        for i, path in enumerate(files):
            with Image.open(path) as opened:
                mode = opened.mode
                image = opened.convert("RGB")
            crop = resize_crop(image)
            crops.write(np.asarray(crop, dtype=np.uint8).tobytes())
            if i < NORMALIZED_COUNT:
                normalized.write(to_tensor(crop).numpy().astype("<f4").tobytes())
            index.write(f"{path} {image.width} {image.height} {mode}\n")


def save_expected_pixels(target, name, image, index):
    rgb = image.convert("RGB")
    with open(os.path.join(target, name + ".rgb"), "wb") as f:
        f.write(np.asarray(rgb, dtype=np.uint8).tobytes())
    index.write(f"{name} {rgb.width} {rgb.height}\n")


def write_images(out):
    rng = np.random.default_rng(SEED)
    target = os.path.join(out, "images")
    os.makedirs(target, exist_ok=True)
    # A smooth gradient plus noise: compresses like a photo, exercises every value.
    h, w = 37, 53
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // (w - 1), yy * 255 // (h - 1), (xx + yy) * 255 // (w + h - 2)], axis=-1)
    rgb = np.clip(base + rng.integers(-30, 31, size=base.shape), 0, 255).astype(np.uint8)
    alpha = rng.integers(0, 256, size=(h, w), dtype=np.uint8)
    images = {
        "rgb.png": Image.fromarray(rgb, "RGB"),
        "rgba.png": Image.fromarray(np.dstack([rgb, alpha]), "RGBA"),
        "l.png": Image.fromarray(rgb[:, :, 0], "L"),
        "la.png": Image.fromarray(np.dstack([rgb[:, :, 1], alpha]), "LA"),
        "p.png": Image.fromarray(rgb, "RGB").quantize(colors=37, dither=Image.Dither.NONE),
        "one_bit.png": Image.fromarray(rgb[:, :, 0] > 127).convert("1"),
        "interlaced.png": Image.fromarray(rgb, "RGB"),
        "rgb.jpg": Image.fromarray(rgb, "RGB"),
        "gray.jpg": Image.fromarray(rgb[:, :, 2], "L"),
        "cmyk.jpg": Image.fromarray(np.dstack([rgb, alpha]), "CMYK"),
        "subsampled_420.jpg": Image.fromarray(rgb, "RGB"),
    }
    with open(os.path.join(target, "index.txt"), "w") as index:
        for name, image in images.items():
            path = os.path.join(target, name)
            if name == "p.png":
                image.info["transparency"] = 3
                image.save(path, transparency=3)
            elif name == "interlaced.png":
                image.save(path, interlace=1)
            elif name == "subsampled_420.jpg":
                image.save(path, quality=85, subsampling=2)
            elif name.endswith(".jpg"):
                image.save(path, quality=90)
            else:
                image.save(path)
            with Image.open(path) as decoded:
                save_expected_pixels(target, name, decoded, index)
        # 16-bit RGB PNG written by hand (PIL cannot write it); PIL reads it keeping high bytes.
        rgb16 = (rng.integers(0, 65536, size=(h, w, 3))).astype(">u2")
        path = os.path.join(target, "rgb16.png")
        write_png16(path, rgb16)
        with Image.open(path) as decoded:
            save_expected_pixels(target, "rgb16.png", decoded, index)


def write_png16(path, pixels):
    import struct
    import zlib

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    h, w, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw)))
        f.write(chunk(b"IEND", b""))


def write_expected_values(path, state):
    with open(path, "w") as f:
        for name in sorted(state):
            tensor = state[name].detach().to(torch.float32).contiguous()
            shape = ",".join(str(d) for d in tensor.shape)
            values = " ".join(f"{v:.9g}" for v in tensor.flatten().tolist())
            f.write(f"{name}\t{shape}\t{values}\n")


def small_model():
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(4 * 6 * 6, 5))


def rewrite_zip(src, dst, edit):
    """Copies a checkpoint zip, letting edit(name, data) change or drop (None) entries."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


class _Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class _TensorCall:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class _CheckpointPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
        return None


def craft_checkpoint(path, tensors, storages, byteorder=b"little"):
    """A hand-made torch.save-style zip: tensors maps name -> (key, numel, offset, size, stride)."""
    state = collections.OrderedDict()
    for name, (key, numel, offset, size, stride) in tensors.items():
        state[name] = _TensorCall(_Storage(key, numel), offset, size, stride)
    buffer = io.BytesIO()
    _CheckpointPickler(buffer, protocol=2).dump(state)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buffer.getvalue())
        z.writestr("archive/byteorder", byteorder)
        for key, data in storages.items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", b"3\n")


def write_checkpoints(out):
    torch.manual_seed(SEED)
    target = os.path.join(out, "checkpoints")
    os.makedirs(target, exist_ok=True)

    model = small_model()
    model[1].running_mean.normal_()
    model[1].running_var.uniform_(0.5, 2.0)
    model[1].num_batches_tracked.fill_(12345)
    basic = model.state_dict()  # OrderedDict with _metadata, int64 num_batches_tracked
    torch.save(basic, os.path.join(target, "basic.pth"))
    write_expected_values(os.path.join(target, "basic.txt"), basic)

    dtypes = collections.OrderedDict()
    dtypes["half"] = torch.randn(3, 5).to(torch.float16)
    dtypes["half_special"] = torch.tensor([0.0, -0.0, 6.0e-8, 1.0e-5, 65504.0, float("inf"), -1.5],
                                          dtype=torch.float16)
    dtypes["bfloat"] = torch.randn(4, 2).to(torch.bfloat16)
    dtypes["double"] = torch.randn(6, dtype=torch.float64)
    dtypes["long"] = torch.arange(-3, 5, dtype=torch.int64)
    torch.save(dtypes, os.path.join(target, "dtypes.pth"))
    write_expected_values(os.path.join(target, "dtypes.txt"), dtypes)

    base = torch.randn(6, 7)
    views = collections.OrderedDict()
    views["transposed"] = base.t()                # strides (1, 7)
    views["offset_slice"] = base[2:5, 1:6]        # storage offset 15, strided rows
    views["every_other"] = base[:, ::2]           # stride 2 in the last dim
    views["expanded"] = torch.randn(3, 1).expand(3, 4)  # stride 0
    views["scalar"] = torch.tensor(2.5)
    views["empty"] = torch.zeros(0, 3)
    views["shared_storage_again"] = base[5]        # same storage as three views above
    torch.save(views, os.path.join(target, "views.pth"))
    write_expected_values(os.path.join(target, "views.txt"), views)

    # The same checkpoint with DEFLATE-compressed entries.
    with zipfile.ZipFile(os.path.join(target, "basic.pth")) as zin, \
            zipfile.ZipFile(os.path.join(target, "deflate.pth"), "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))

    write_zip64(os.path.join(target, "basic.pth"), os.path.join(target, "zip64.pth"))
    write_malformed(target)


def write_zip64(src, dst):
    """Rewrites a checkpoint with every size and offset in ZIP64 records (0xFFFFFFFF placeholders),
    as writers do past 4 GiB; Python's zipfile only does so for files that large."""
    import struct
    import zlib
    with zipfile.ZipFile(src) as z:
        entries = [(i.filename.encode(), z.read(i.filename)) for i in z.infolist()]
    body, central = bytearray(), bytearray()
    for name, data in entries:
        crc = zlib.crc32(data)
        offset = len(body)
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                            len(name), len(extra)) + name + extra + data
        cextra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF,
                               0xFFFFFFFF, len(name), len(cextra), 0, 0, 0, 0, 0xFFFFFFFF) + name + cextra
    dir_offset, dir_size = len(body), len(central)
    zip64_end = len(body) + len(central)
    tail = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(entries), len(entries), dir_size, dir_offset)
    tail += struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1)
    tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(dst, "wb") as f:
        f.write(bytes(body + central + tail))
    with zipfile.ZipFile(dst) as z:  # Python's reader must agree that it is a valid archive
        assert z.testzip() is None and len(z.infolist()) == len(entries)


def write_malformed(target):
    basic = os.path.join(target, "basic.pth")
    malformed = os.path.join(target, "malformed")
    os.makedirs(malformed, exist_ok=True)
    join = lambda name: os.path.join(malformed, name)

    rewrite_zip(basic, join("unknown_global.pth"), lambda n, d: d.replace(
        b"collections\nOrderedDict\n", b"os\nsystem\n", 1) if n.endswith("data.pkl") else d)
    # 0xfe is no pickle opcode; put it right after PROTO 2.
    rewrite_zip(basic, join("bad_opcode.pth"), lambda n, d: d[:2] + b"\xfe" + d[2:] if n.endswith("data.pkl") else d)
    rewrite_zip(basic, join("truncated_pickle.pth"), lambda n, d: d[:len(d) // 2] if n.endswith("data.pkl") else d)
    rewrite_zip(basic, join("short_storage.pth"), lambda n, d: d[:len(d) // 2] if n.endswith("data/0") else d)
    rewrite_zip(basic, join("missing_storage.pth"), lambda n, d: None if n.endswith("data/0") else d)
    rewrite_zip(basic, join("missing_pickle.pth"), lambda n, d: None if n.endswith("data.pkl") else d)
    # torch 1.13 writes no byteorder record (newer versions do): add one saying "big".
    rewrite_zip(basic, join("big_endian.pth"), lambda n, d: d)
    with zipfile.ZipFile(join("big_endian.pth"), "a") as z:
        prefix = z.namelist()[0].split("/")[0]
        z.writestr(prefix + "/byteorder", b"big")
    with open(join("not_zip.pth"), "wb") as f:
        f.write(pickle.dumps({f"key{i}": i for i in range(100)}, protocol=2))
    # A flipped payload byte that only the CRC can notice.
    with open(basic, "rb") as f:
        raw = bytearray(f.read())
    with zipfile.ZipFile(basic) as z:
        info = next(i for i in z.infolist() if i.filename.endswith("data/0"))
    local = info.header_offset
    name_len = int.from_bytes(raw[local + 26:local + 28], "little")
    extra_len = int.from_bytes(raw[local + 28:local + 30], "little")
    raw[local + 30 + name_len + extra_len + 1] ^= 0x40
    with open(join("bad_crc.pth"), "wb") as f:
        f.write(bytes(raw))

    storage = np.arange(4, dtype="<f4").tobytes()
    craft_checkpoint(join("absurd_size.pth"), {"w": ("0", 4, 0, (1 << 40, 1 << 40), (1, 1))}, {"0": storage})
    craft_checkpoint(join("stride_overrun.pth"), {"w": ("0", 4, 0, (2, 3), (3, 1))}, {"0": storage})
    craft_checkpoint(join("offset_overrun.pth"), {"w": ("0", 4, 3, (2,), (1,))}, {"0": storage})
    craft_checkpoint(join("numel_lie.pth"), {"w": ("0", 400, 0, (4,), (1,))}, {"0": storage})
    craft_checkpoint(join("crafted_ok.pth"), {"w": ("0", 4, 1, (3,), (1,))}, {"0": storage})


def write_tars(out, data):
    target = os.path.join(out, "tars")
    os.makedirs(target, exist_ok=True)
    images_dir = os.path.join(data, "imagenet-val100")
    picks = ["ILSVRC2012_val_00000001.JPEG", "ILSVRC2012_val_00000006.JPEG"]
    labels = {"ILSVRC2012_val_00000001.JPEG": 65, "ILSVRC2012_val_00000006.JPEG": 57}
    long_dir = "d" * 60 + "/" + "e" * 60
    for fmt, name in [(tarfile.GNU_FORMAT, "gnu_longname.tar"), (tarfile.PAX_FORMAT, "pax_longname.tar")]:
        with tarfile.open(os.path.join(target, name), "w", format=fmt) as tar:
            for pick in picks:
                key = long_dir + "/" + pick.rsplit(".", 1)[0]
                payloads = [(key + ".jpg", open(os.path.join(images_dir, pick), "rb").read()),
                            (key + ".cls", str(labels[pick]).encode())]
                for member, payload in payloads:
                    info = tarfile.TarInfo(member)
                    info.size = len(payload)
                    info.mtime = 0
                    tar.addfile(info, io.BytesIO(payload))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    out = os.path.join(args.out, "io")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    write_images(out)
    write_checkpoints(out)
    if os.path.isdir(os.path.join(args.data, "imagenet-val100")):
        write_preprocess(out, args.data)
        write_tars(out, args.data)
    else:
        print(f"make_io_fixtures: {args.data}/imagenet-val100 absent; preprocessing and tar references skipped")
    print(f"make_io_fixtures: torch {torch.__version__}, torchvision {torchvision.__version__}, wrote {out}")


if __name__ == "__main__":
    main()
