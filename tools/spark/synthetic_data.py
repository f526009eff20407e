#!/usr/bin/env python3
"""Seeded synthetic training data for the Spark checks and measurements (no third-party packages).

  synthetic_data.py idx DIR N [--test M]       DIR/train-images-idx3-ubyte (+ labels) with N 28x28 grey images and
                                               DIR/t10k-images-idx3-ubyte with M (default 1000), uncompressed
  synthetic_data.py folders DIR N [--val M]    DIR/train/<class>/NNNNNN.png with N 32x32 RGB PNGs over 10 classes,
                   [--distinct K]              DIR/val/ with M (default 200); with --distinct, the training files are
                                               hard links to K distinct images per class (a 600k-file listing in
                                               seconds and a few MB of disk)

Class c is a bright bar at a class-dependent position over noise, so a small net learns it in an epoch or two.
"""
import argparse
import os
import random
import struct
import zlib

CLASSES = 10


def image(rng, label, size, channels):
    pixels = bytearray(size * size * channels)
    for i in range(len(pixels)):
        pixels[i] = rng.randrange(0, 96)
    row = 2 + label * (size - 4) // CLASSES
    for y in range(row, min(size, row + 3)):
        for x in range(size):
            for c in range(channels):
                pixels[(y * size + x) * channels + c] = 160 + rng.randrange(0, 96)
    return bytes(pixels)


def write_idx(images_path, labels_path, count, rng):
    with open(images_path, "wb") as images, open(labels_path, "wb") as labels:
        images.write(struct.pack(">iiii", 0x803, count, 28, 28))
        labels.write(struct.pack(">ii", 0x801, count))
        chunk_images, chunk_labels = [], bytearray()
        for i in range(count):
            label = rng.randrange(CLASSES)
            chunk_labels.append(label)
            chunk_images.append(image(rng, label, 28, 1))
            if len(chunk_images) == 4096:
                images.write(b"".join(chunk_images))
                chunk_images = []
        images.write(b"".join(chunk_images))
        labels.write(bytes(chunk_labels))


def png(width, height, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def write_folders(root, count, rng, distinct=0):
    for c in range(CLASSES):
        os.makedirs(os.path.join(root, "class%02d" % c), exist_ok=True)
    originals = {}
    for i in range(count):
        label = i % CLASSES
        path = os.path.join(root, "class%02d" % label, "%07d.png" % i)
        key = (label, (i // CLASSES) % distinct) if distinct else None
        if key in originals:
            os.link(originals[key], path)
            continue
        with open(path, "wb") as out:
            out.write(png(32, 32, image(rng, label, 32, 3)))
        if key is not None:
            originals[key] = path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["idx", "folders"])
    parser.add_argument("dir")
    parser.add_argument("count", type=int)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--val", type=int, default=200)
    parser.add_argument("--distinct", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    if args.kind == "idx":
        write_idx(os.path.join(args.dir, "train-images-idx3-ubyte"), os.path.join(args.dir, "train-labels-idx1-ubyte"),
                  args.count, rng)
        write_idx(os.path.join(args.dir, "t10k-images-idx3-ubyte"), os.path.join(args.dir, "t10k-labels-idx1-ubyte"),
                  args.test, rng)
    else:
        write_folders(os.path.join(args.dir, "train"), args.count, rng, args.distinct)
        write_folders(os.path.join(args.dir, "val"), args.val, rng)


if __name__ == "__main__":
    main()
