#!/usr/bin/env python3
"""Seed corpora of the fuzzers of formats other programs write, under OUT/<kind>/:
  jpeg, png      the io tests' images in every mode they decode, and a progressive JPEG (PIL)
  state_dict     the io tests' torch.save checkpoints, valid and malformed (torch)
  tar, shard_dataset  webdataset shards in GNU, pax and ustar form (tarfile)
  labels_csv, class_names  the label files of a folder dataset and of the class names
Images and checkpoints come from tests/reference/make_io_fixtures.py, the tests' own files.
Needs Debian's python3 with python3-torch, -torchvision and -pil.
Usage: make_io_seeds.py OUT
"""
import io
import os
import shutil
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "reference"))
import make_io_fixtures  # noqa: E402


def copy_matching(source, target, extensions):
    os.makedirs(target, exist_ok=True)
    for root, _, files in os.walk(source):
        for name in files:
            if name.endswith(extensions):
                shutil.copy(os.path.join(root, name), os.path.join(target, os.path.basename(root) + "_" + name))


def write_shards(target, jpeg):
    os.makedirs(target, exist_ok=True)
    long_dir = "d" * 60 + "/" + "e" * 60
    members = [("n01/a.jpg", jpeg), ("n01/a.cls", b"65"), (long_dir + "/b.jpg", jpeg), (long_dir + "/b.cls", b"7\n"),
               ("c.png", b"not decoded here"), ("c.cls", b"999")]
    for fmt, name in [(tarfile.GNU_FORMAT, "gnu.tar"), (tarfile.PAX_FORMAT, "pax.tar"), (tarfile.USTAR_FORMAT, "ustar.tar")]:
        with tarfile.open(os.path.join(target, name), "w", format=fmt) as tar:
            for member, payload in members:
                if fmt == tarfile.USTAR_FORMAT and len(member) > 100:
                    member = member[-90:]
                info = tarfile.TarInfo(member)
                info.size, info.mtime = len(payload), 0
                tar.addfile(info, io.BytesIO(payload))
            folder = tarfile.TarInfo("n01")
            folder.type = tarfile.DIRTYPE
            tar.addfile(folder)


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text)


def main():
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as scratch:
        make_io_fixtures.write_images(scratch)
        make_io_fixtures.write_checkpoints(scratch)
        copy_matching(os.path.join(scratch, "images"), os.path.join(out, "jpeg"), (".jpg",))
        copy_matching(os.path.join(scratch, "images"), os.path.join(out, "png"), (".png",))
        copy_matching(os.path.join(scratch, "checkpoints"), os.path.join(out, "state_dict"), (".pth",))
        with open(os.path.join(scratch, "images", "gray.jpg"), "rb") as f:
            jpeg = f.read()
        with make_io_fixtures.Image.open(os.path.join(scratch, "images", "rgb.jpg")) as image:
            image.save(os.path.join(out, "jpeg", "progressive.jpg"), progressive=True, quality=80)
    write_shards(os.path.join(out, "tar"), jpeg)
    write_shards(os.path.join(out, "shard_dataset"), jpeg)
    write_text(os.path.join(out, "labels_csv", "labels.csv"),
               b'file,label,wnid,name\na.JPEG,65,n01751748,sea snake\n"b,c.JPEG",0,n01440764,"tench, ""Tinca"""\n\n')
    # load_class_names_fuzzer: the first byte chooses the form (0: one name per line, 1: CSV).
    write_text(os.path.join(out, "class_names", "names.txt"), b"\x00tench\ngoldfish\r\ngreat white shark\n")
    write_text(os.path.join(out, "class_names", "index.csv"), b'\x01index,wnid,name\n0,n01440764,tench\n1,n01443537,"gold, fish"\n')


if __name__ == "__main__":
    main()
