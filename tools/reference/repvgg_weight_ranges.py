#!/usr/bin/python3
"""Why per-tensor INT8 hurts RepVGG's deploy form: the spread of per-output-channel weight ranges in each layer of the
deploy form, against the same spread in the train form's branches (each branch's kernel with its batch norm folded).

The RepVGG literature (RepOpt, Ding et al. 2022; "Make RepVGG Greater Again", Chu et al. 2022) traces the deploy
form's poor 8-bit quantization to its merged kernels: the 3x3, 1x1 and identity branches, each scaled by its own batch
norm, add up to kernels whose channels' ranges differ widely, so one scale per layer spends most of its 256 levels on
a few channels. Per layer this prints max/min and max/median of the per-channel max |w|, and the signal-to-
quantization-noise ratio (SQNR, dB) of the layer's weights under per-tensor and per-channel symmetric int8.

    repzoo export train.zip --out train.onnx          # the train form (three branches, batch norms)
    repzoo convert train.zip --out deploy.onnx        # its deploy form
    apt-get install python3-onnx
    /usr/bin/python3 tools/reference/repvgg_weight_ranges.py train.onnx deploy.onnx [--markdown OUT.md]
"""
import argparse
import re

import numpy as np
import onnx
from onnx import numpy_helper


def folded_kernels(model):
    """Each Conv's kernel with the BatchNormalization that reads it folded in, by conv node name."""
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    batch_norms = {n.input[0]: n for n in model.graph.node if n.op_type == "BatchNormalization"}
    kernels = {}
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        w = inits[node.input[1]]
        bn = batch_norms.get(node.output[0])
        if bn is not None:
            eps = next((a.f for a in bn.attribute if a.name == "epsilon"), 1e-5)
            gamma, var = inits[bn.input[1]], inits[bn.input[4]]
            w = w * (gamma / np.sqrt(var + eps)).reshape(-1, 1, 1, 1)
        kernels[node.name] = w
    return kernels


def sqnr(w, per_channel):
    """SQNR in dB of symmetric int8 quantization of w (axis 0 per channel, or one scale)."""
    flat = w.reshape(w.shape[0], -1)
    limit = np.abs(flat).max(axis=1, keepdims=True) if per_channel else np.abs(flat).max()
    scale = np.where(limit > 0, limit / 127, 1)
    q = np.clip(np.round(flat / scale), -128, 127) * scale
    noise = ((flat - q) ** 2).sum()
    return 10 * np.log10((flat ** 2).sum() / noise) if noise > 0 else float("inf")


def spread(w):
    ranges = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
    ranges = ranges[ranges > 0]
    return ranges.max() / ranges.min(), ranges.max() / np.median(ranges)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("deploy")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    train, deploy = folded_kernels(onnx.load(args.train)), folded_kernels(onnx.load(args.deploy))
    rows = ["| layer | deploy: max/min channel range | deploy: max/median | deploy SQNR per-tensor / per-channel (dB) "
            "| train 3x3 branch: max/min | train 1x1 branch: max/min |", "|---|---:|---:|---:|---:|---:|"]
    totals = []
    for name, w in deploy.items():
        block = re.sub(r"\.rbr_reparam$", "", name)
        dense, pointwise = train.get(block + ".rbr_dense.conv"), train.get(block + ".rbr_1x1.conv")
        low, median = spread(w)
        tensor_db, channel_db = sqnr(w, False), sqnr(w, True)
        totals.append((tensor_db, channel_db))
        rows.append(f"| {block} | {low:.1f} | {median:.1f} | {tensor_db:.1f} / {channel_db:.1f} | "
                    + (f"{spread(dense)[0]:.1f}" if dense is not None else "—") + " | "
                    + (f"{spread(pointwise)[0]:.1f}" if pointwise is not None else "—") + " |")
    tensor_mean = np.mean([t for t, _ in totals])
    channel_mean = np.mean([c for _, c in totals])
    rows.append(f"| mean over layers | | | {tensor_mean:.1f} / {channel_mean:.1f} | | |")
    text = "\n".join(rows)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
