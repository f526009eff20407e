#!/usr/bin/python3
"""End-to-end parity through the command line: `repzoo import` + `repzoo predict` against PyTorch, and
`repzoo export` round trips, for every RepZoo architecture that has a PyTorch reference, at full size.

For each model: PyTorch builds it (torchvision, or the paper models of parity_fixtures.py) with the realistic hashed
weights of hashed_weights.py and random num_batches_tracked counters, saves the state_dict in one of the formats a
user has (torch.save zip, legacy torch.save, a {'state_dict': ...} wrapper with DataParallel's `module.` prefix,
.npz, .safetensors, timm's key names), and computes logits for a batch of 2 at 224x224 (Inception v3: 299x299) in
eval mode. Then (a variant such as googlenet_transform_input imports its architecture with its flag):

    ./repzoo import NAME --weights FILE --out model.zip
    ./repzoo predict model.zip --input x.npy --output y.npy     ->  max|y - torch| / max|torch|, top-1
    ./repzoo export model.zip --out back.npz                    ->  every array equal to the saved one, bit for bit

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/reference/import_parity.py [--models vgg16,resnet50] [--markdown table.md]
(about 10 minutes for all 18 models on 2 cores; needs ~3 GB free in the temporary directory)
"""
import argparse
import json
import os
import struct
import sys
import tempfile
from collections import OrderedDict

import numpy as np
import torch
from torchvision import models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hashed_weights import tensor  # noqa: E402
from repzoo_cli import repzoo  # noqa: E402
from parity_fixtures import TORCHVISION, VARIANTS, input_size, paper_models  # noqa: E402
import repvgg_reference  # noqa: E402

BATCH = 2
# Which file format each model's checkpoint is written in, so that every reader is exercised at full size.
FORMATS = ["pth", "npz", "safetensors", "pth-legacy", "pth-wrapped", "timm-safetensors"]
SAFETENSORS_DTYPES = {np.float32: "F32", np.int64: "I64"}


REPVGG = [f"repvgg_{v}{form}" for v in repvgg_reference.VARIANTS for form in ("", "_deploy")]


def build(name):
    if name in VARIANTS:
        arch, options = VARIANTS[name]
        return models.get_model(arch, **options)
    if name in TORCHVISION:
        return models.get_model(name)
    if name.startswith("repvgg_"):
        variant = name[len("repvgg_"):].replace("_deploy", "")
        return repvgg_reference.build(variant, deploy=name.endswith("_deploy"))
    return paper_models()[name]


def format_for(name, index):
    if name.startswith("vgg") and not name.endswith(("_lrn", "_c")) and index % 3 == 0:
        return "timm-safetensors"
    return FORMATS[index % 5]


def timm_names(state):
    """timm's VGG keys: classifier.0/3 -> pre_logits.fc1/fc2 as convolutions, classifier.6 -> head.fc."""
    out = OrderedDict()
    for k, v in state.items():
        if k.startswith("classifier.0."):
            k, v = "pre_logits.fc1." + k.split(".")[-1], v.reshape(-1, 512, 7, 7) if k.endswith("weight") else v
        elif k.startswith("classifier.3."):
            k, v = "pre_logits.fc2." + k.split(".")[-1], v.reshape(-1, 4096, 1, 1) if k.endswith("weight") else v
        elif k.startswith("classifier.6."):
            k = "head.fc." + k.split(".")[-1]
        out[k] = v
    return out


def write_safetensors(path, arrays):
    """The safetensors layout, written from its specification (no extra Python package needed)."""
    header, offset = {}, 0
    for k, a in arrays.items():
        a = np.array(a, order="C")  # np.ascontiguousarray would turn a 0-d array into shape (1,)
        header[k] = {"dtype": SAFETENSORS_DTYPES[a.dtype.type], "shape": list(a.shape),
                     "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for a in arrays.values():
            f.write(np.array(a, order="C").astype(a.dtype.newbyteorder("<")).tobytes())


def save(state, fmt, directory):
    arrays = OrderedDict((k, v.numpy()) for k, v in state.items())
    if fmt == "pth":
        path = os.path.join(directory, "weights.pth")
        torch.save(state, path)
    elif fmt == "pth-legacy":
        path = os.path.join(directory, "weights.pth")
        torch.save(state, path, _use_new_zipfile_serialization=False)
    elif fmt == "pth-wrapped":
        path = os.path.join(directory, "checkpoint.pth.tar")
        torch.save({"epoch": 90, "arch": "x", "state_dict": OrderedDict(("module." + k, v) for k, v in state.items()),
                    "best_acc1": torch.tensor(76.1)}, path)
    elif fmt == "npz":
        path = os.path.join(directory, "weights.npz")
        np.savez(path, **arrays)
    elif fmt == "safetensors":
        path = os.path.join(directory, "weights.safetensors")
        write_safetensors(path, arrays)
    else:
        path = os.path.join(directory, "timm.safetensors")
        write_safetensors(path, OrderedDict((k, v.numpy()) for k, v in timm_names(state).items()))
    return path


def check(name, index, directory):
    torch.manual_seed(index)
    model = build(name).eval()
    state = OrderedDict()
    for k, v in model.state_dict().items():
        if v.is_floating_point():
            state[k] = torch.from_numpy(tensor(k, tuple(v.shape)))
        else:
            state[k] = torch.randint(0, 100_000, v.shape, dtype=v.dtype)
    model.load_state_dict(state)
    size = input_size(name)
    x = torch.from_numpy(tensor("input", (BATCH, 3, size, size)))
    with torch.no_grad():
        expected = model(x).numpy()
    fmt = format_for(name, index)
    weights = save(state, fmt, directory)
    np.save(os.path.join(directory, "x.npy"), x.numpy())
    zip_path, y_path = os.path.join(directory, "model.zip"), os.path.join(directory, "y.npy")
    arch, options = VARIANTS.get(name, (name, {}))
    flags = ["--transform-input"] if options.get("transform_input") else []
    t_import = repzoo("import", arch, "--weights", weights, "--out", zip_path, *flags)
    repzoo("predict", zip_path, "--input", os.path.join(directory, "x.npy"), "--output", y_path)
    y = np.load(y_path)
    relative = float(np.abs(y - expected).max() / np.abs(expected).max())
    same_top1 = bool((y.argmax(1) == expected.argmax(1)).all())

    back = os.path.join(directory, "back.npz")
    repzoo("export", zip_path, "--out", back)
    exported = np.load(back)
    source = timm_names(state) if fmt == "timm-safetensors" else state
    exact = list(exported.keys()) == list(source.keys()) and all(
        exported[k].dtype == v.numpy().dtype and np.array_equal(exported[k], v.numpy()) for k, v in source.items())
    for f in os.listdir(directory):
        os.remove(os.path.join(directory, f))
    return {"model": name, "format": fmt, "relative": relative, "same_top1": same_top1, "export_exact": exact,
            "import_s": round(t_import, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=",".join(TORCHVISION + list(VARIANTS) + list(paper_models()) + REPVGG))
    parser.add_argument("--markdown")
    args = parser.parse_args()
    torch.set_num_threads(2)
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as directory:
        for index, name in enumerate(args.models.split(",")):
            row = check(name, index, directory)
            rows.append(row)
            ok = row["relative"] <= 1e-4 and row["same_top1"] and row["export_exact"]
            failed |= not ok
            print(f"{name:18s} {row['format']:17s} {row['relative']:.2e} top-1 {'same' if row['same_top1'] else 'DIFFERENT'}"
                  f"  export {'exact' if row['export_exact'] else 'DIFFERENT'}  import {row['import_s']} s"
                  f"  {'ok' if ok else 'FAIL'}", flush=True)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("| model | checkpoint format | max \\|Δ\\| / max \\|logit\\| | top-1 | export round trip |\n")
            f.write("|---|---|---:|---|---|\n")
            for r in rows:
                f.write(f"| {r['model']} | {r['format']} | {r['relative']:.2e} | {'same' if r['same_top1'] else 'different'}"
                        f" | {'exact' if r['export_exact'] else 'different'} |\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
