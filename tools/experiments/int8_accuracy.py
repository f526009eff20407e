#!/usr/bin/python3
"""INT8 against float32 accuracy of a Fashion-MNIST RepVGG (the demo's, or the 94% run's), under the demo's three
protocols, for each weight scheme and activation calibration: the table of docs/QUANTIZATION.md.

Given a trained train-form zip (`repzoo demo` writes demo-output/repvgg-train.zip; `repzoo train` writes
runs/.../model.zip), it writes the deploy form as ONNX (`repzoo convert`), quantizes it with every combination asked
(`repzoo quantize --calibration fashion-mnist`: 512 training images, seed 0), and evaluates the float file and each
INT8 file on ONNX Runtime: single-crop on the 10,000 test images, multi-scale (scales 32, 36, 40) on the first 2,000
and the 150-view multi-crop on the first 500, as the demo does.

    apt-get install dataset-fashion-mnist
    /usr/bin/python3 tools/experiments/int8_accuracy.py demo-output/repvgg-train.zip [--weights per-channel,per-tensor]
        [--activations minmax,percentile:99.99,entropy] [--keep-float default,none] [--markdown OUT.md]
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from repzoo_cli import finish_table, load_average, repzoo  # noqa: E402

PROTOCOLS = [("single", 0), ("multi-scale", 2000), ("multi-crop", 500)]
DATA = "/usr/share/datasets/fashion-mnist"


def evaluate(model, folder):
    """Top-1 % under each protocol, in PROTOCOLS' order."""
    scores = []
    for protocol, limit in PROTOCOLS:
        report = os.path.join(folder, "report.json")
        args = ["eval", model, "--data", DATA, "--protocol", protocol, "--scales", "32,36,40", "--report", report]
        if limit:
            args += ["--limit", limit]
        repzoo(*args)
        with open(report) as f:
            scores.append(100 * (1 - json.load(f)["top1_error"]))
    return scores


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train_zip")
    parser.add_argument("--weights", default="per-channel,per-tensor")
    parser.add_argument("--activations", default="minmax,percentile:99.99,entropy")
    parser.add_argument("--keep-float", default="default")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    rows = [f"load average before: {load_average()}",
            "| model | weights | activations | kept in float | single top-1 % | multi-scale top-1 % (2,000) "
            "| multi-crop top-1 % (500) | MB |", "|---|---|---|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="repzoo-int8-") as folder:
        deploy = os.path.join(folder, "deploy.onnx")
        repzoo("convert", args.train_zip, "--out", deploy)
        base = evaluate(deploy, folder)
        rows.append(f"| float32 | — | — | — | {base[0]:.2f} | {base[1]:.2f} | {base[2]:.2f} | "
                    f"{os.path.getsize(deploy) / 1e6:.2f} |")
        print(rows[-1], flush=True)
        for keep in args.keep_float.split(","):
            for weights in args.weights.split(","):
                for activations in args.activations.split(","):
                    int8 = os.path.join(folder, "model.int8.onnx")
                    command = ["quantize", deploy, "--calibration", "fashion-mnist", "--out", int8, "--weights",
                               weights, "--activations", activations]
                    if keep != "default":
                        command += ["--keep-float", keep]
                    start = time.time()
                    repzoo(*command)
                    scores = evaluate(int8, folder)
                    rows.append(f"| int8 | {weights} | {activations} | "
                                f"{'first conv, classifier' if keep == 'default' else keep} | "
                                + " | ".join(f"{s:.2f} ({s - b:+.2f})" for s, b in zip(scores, base))
                                + f" | {os.path.getsize(int8) / 1e6:.2f} |")
                    print(rows[-1], f"(quantized in {time.time() - start:.0f} s)", flush=True)
    finish_table(rows, args.markdown)


if __name__ == "__main__":
    main()
