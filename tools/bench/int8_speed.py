#!/usr/bin/python3
"""INT8 against float32 on ONNX Runtime, side by side: `repzoo bench` on each model's float ONNX file and on its
`repzoo quantize` output, interleaved over rounds, medians of the rounds' medians.

The models are repvgg_a0_deploy (the official deploy form, tools/reference/repvgg_reference.py), resnet50 and vgg16
(torchvision) with seeded random weights (speed does not depend on the weights), imported with `repzoo import`,
written with `repzoo export` and quantized with the defaults (per-channel weights, min-max ranges) on 64 seeded
noise images: a calibration set only has to exist for a speed figure. The CPU's AVX-512 / VNNI flags and the load
average go into the table's caption: ONNX Runtime runs integer convolutions with VNNI where the CPU has it.

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/bench/int8_speed.py [--models repvgg_a0_deploy,resnet50,vgg16] [--batch 1,16]
        [--rounds 2] [--max-seconds 8] [--markdown OUT.md]
"""
import argparse
import datetime
import json
import os
import re
import statistics
import sys
import tempfile

import numpy as np
import torch
from PIL import Image
from torchvision import models

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import repvgg_reference  # noqa: E402
from repzoo_cli import finish_table, load_average, repzoo  # noqa: E402


def network(name):
    torch.manual_seed(0)
    if name.startswith("repvgg_") and name.endswith("_deploy"):
        return repvgg_reference.build(name[len("repvgg_"):-len("_deploy")], deploy=True)
    return models.get_model(name)


def calibration_images(folder):
    rng = np.random.default_rng(0)
    for c in range(4):
        os.makedirs(os.path.join(folder, f"c{c}"))
        for i in range(16):
            pixels = rng.integers(0, 256, (375, 500, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(os.path.join(folder, f"c{c}", f"{i}.jpg"))


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        return sorted(set(re.findall(r"\b(avx512[a-z_0-9]*|avx_vnni)\b", f.read())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="repvgg_a0_deploy,resnet50,vgg16")
    parser.add_argument("--batch", default="1,16")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=8)
    parser.add_argument("--markdown")
    args = parser.parse_args()
    names = args.models.split(",")
    batches = [int(b) for b in args.batch.split(",")]
    load_start = load_average()
    with tempfile.TemporaryDirectory(prefix="repzoo-int8-") as work:
        calibration = os.path.join(work, "calibration")
        calibration_images(calibration)
        files = {}
        for name in names:
            weights = os.path.join(work, f"{name}.npz")
            np.savez(weights, **{k: v.numpy() for k, v in network(name).state_dict().items()})
            zip_path = os.path.join(work, f"{name}.zip")
            repzoo("import", name, "--weights", weights, "--out", zip_path)
            files[name] = {"fp32": os.path.join(work, f"{name}.onnx"), "int8": os.path.join(work, f"{name}.int8.onnx")}
            repzoo("export", zip_path, "--out", files[name]["fp32"])
            repzoo("quantize", zip_path, "--calibration", calibration, "--images", "64", "--out", files[name]["int8"])
            os.remove(weights)
            os.remove(zip_path)
        rates = {(n, k, b): [] for n in names for k in ("fp32", "int8") for b in batches}
        for _ in range(args.rounds):
            for name in names:
                for kind in ("fp32", "int8"):
                    report = os.path.join(work, "report.json")
                    repzoo("bench", files[name][kind], "--batch", args.batch, "--max-seconds", args.max_seconds,
                           "--json", report)
                    with open(report) as f:
                        for result in json.load(f)["results"]:
                            rates[(name, kind, result["batch"])].append(result["images_per_second"]["median"])
                    os.remove(report)
        sizes = {n: {k: os.path.getsize(p) / 1e6 for k, p in files[n].items()} for n in names}
    rows = [f"`tools/bench/int8_speed.py` on {datetime.date.today().isoformat()}: ONNX Runtime, 2 threads, "
            f"{args.rounds} interleaved rounds of `repzoo bench` (at most {args.max_seconds:g} s per batch size), "
            f"medians; CPU flags {' '.join(cpu_flags()) or 'without AVX-512 or AVX-VNNI'}; load average before "
            f"{load_start}.", "",
            "| model | batch | float32 img/s | int8 img/s | int8 / float32 | file MB float32 / int8 |",
            "|---|---:|---:|---:|---:|---:|"]
    for name in names:
        for batch in batches:
            fp32 = statistics.median(rates[(name, "fp32", batch)])
            int8 = statistics.median(rates[(name, "int8", batch)])
            rows.append(f"| {name} | {batch} | {fp32:.1f} | {int8:.1f} | {int8 / fp32:.2f}x | "
                        f"{sizes[name]['fp32']:.1f} / {sizes[name]['int8']:.1f} |")
    if "repvgg_a0_deploy" in names and 16 in batches:
        ratio = (statistics.median(rates[("repvgg_a0_deploy", "int8", 16)])
                 / statistics.median(rates[("repvgg_a0_deploy", "fp32", 16)]))
        rows += ["", f"target: int8 at least 2x float32, repvgg_a0_deploy batch 16: "
                     f"{'held' if ratio >= 2 else 'missed'} ({ratio:.2f}x)", ""]
    finish_table(rows, args.markdown)


if __name__ == "__main__":
    main()
