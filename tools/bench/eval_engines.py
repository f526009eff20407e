#!/usr/bin/python3
"""`repzoo eval` on DL4J and on ONNX Runtime, side by side: images/s and the share of the model's time it waited for
decoded images (the report's pipeline_overhead), per protocol, on ImageNet-sized JPEGs.

The images are 500x375 JPEGs (ImageNet's typical size) with seeded content, in 10 class folders; the models are
torchvision's with seeded random weights (speed does not depend on the weights), imported with `repzoo import`. Each
(model, protocol) runs on DL4J (its default: batch norm folded) and on ONNX Runtime (the zip exported on the fly),
back to back, each `repzoo eval` a process of its own.

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/bench/eval_engines.py [--models resnet50,vgg16] [--protocols single,ten-crop,multi-crop]
        [--images 64] [--threads 2] [--markdown OUT.md]
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image
from torchvision import models

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from repzoo_cli import finish_table, load_average, repzoo  # noqa: E402

# Fewer images for the protocols of many views, so that each row is about the same work.
SHARE = {"single": 1.0, "ten-crop": 0.25, "multi-crop": 0.05, "multi-scale": 0.25, "dense": 0.25}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_images(folder, count):
    rng = np.random.default_rng(7)
    for i in range(count):
        label = f"class{i % 10}"
        os.makedirs(os.path.join(folder, label), exist_ok=True)
        y, x = np.mgrid[0:375, 0:500]
        base = np.stack([(x * (1 + i % 3)) % 256, (y * (1 + i % 5)) % 256, ((x + y) * (i % 7 + 1)) % 256], -1)
        noise = rng.integers(0, 64, (375, 500, 3))
        Image.fromarray(((base + noise) % 256).astype(np.uint8)).save(
            os.path.join(folder, label, f"{i:05d}.jpg"), quality=90)


def make_model(name, folder):
    torch.manual_seed(0)
    path = os.path.join(folder, f"{name}.pth")
    torch.save(models.get_model(name).state_dict(), path)
    zip_path = os.path.join(folder, f"{name}.zip")
    repzoo("import", name, "--weights", path, "--out", zip_path)
    return zip_path


def evaluate(zip_path, data, protocol, engine, images, threads, folder):
    report = os.path.join(folder, "report.json")
    repzoo("eval", zip_path, "--data", data, "--protocol", protocol, "--engine", engine, "--limit", images,
           "--threads", threads, "--report", report)
    with open(report) as f:
        timings = json.load(f)["timings"]
    return timings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="resnet50,vgg16")
    parser.add_argument("--protocols", default="single,ten-crop,multi-crop")
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--markdown")
    args = parser.parse_args()
    rows = [f"load average before: {load_average()}",
            "| model | protocol | images | DL4J img/s | ORT img/s | ORT / DL4J | DL4J waiting | ORT waiting |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="repzoo-eval-engines-") as folder:
        data = os.path.join(folder, "images")
        make_images(data, args.images)
        for name in args.models.split(","):
            log(f"importing {name}")
            zip_path = make_model(name, folder)
            for protocol in args.protocols.split(","):
                images = max(2, int(args.images * SHARE.get(protocol, 1.0)))
                figures = {}
                for engine in ("dl4j", "onnxruntime"):
                    log(f"{name} {protocol} on {engine}, {images} images")
                    figures[engine] = evaluate(zip_path, data, protocol, engine, images, args.threads, folder)
                d, o = figures["dl4j"], figures["onnxruntime"]
                rows.append(f"| {name} | {protocol} | {images} | {d['images_per_second']:.2f} | "
                            f"{o['images_per_second']:.2f} | {o['images_per_second'] / d['images_per_second']:.2f}x | "
                            f"{100 * d['pipeline_overhead']:.1f}% | {100 * o['pipeline_overhead']:.1f}% |")
                print(rows[-1], flush=True)
    finish_table(rows, args.markdown)


if __name__ == "__main__":
    main()
