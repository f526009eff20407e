#!/usr/bin/python3
"""RepZoo's ONNX export against PyTorch, at full size, for every registered architecture: ONNX Runtime's logits on
the file `repzoo export` writes, compared with PyTorch's for the same weights, and every file passed through the ONNX
checker with its full check (shape inference included).

For each model: PyTorch builds it (torchvision, the paper models, timm's SE-ResNets, Inception-v4,
Inception-ResNet-v2 and Xception, the official RepVGG: the builders of parity_fixtures.py) with the hashed weights
of hashed_weights.py, and computes logits for a batch of 2 in eval mode at 224x224 (299x299 for the Inception family
and Xception). Then:

    ./repzoo import NAME --weights weights.npz --out model.zip
    ./repzoo export model.zip --out model.onnx                       ->  onnx.checker.check_model(full_check=True)
    ./repzoo predict model.onnx --input x.npy --output y.npy          ->  ONNX Runtime: max|y - torch| / max|torch|, top-1

    apt-get install python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 tools/reference/onnx_parity.py [--models vgg16,resnet50] [--markdown table.md]
(about 40 minutes for all 59 models on 2 cores; needs ~3 GB free in the temporary directory)
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from torchvision import models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hashed_weights import tensor  # noqa: E402
from repzoo_cli import repzoo  # noqa: E402
from parity_fixtures import TORCHVISION, paper_models  # noqa: E402
import repvgg_reference  # noqa: E402
import se_resnet_reference  # noqa: E402
import timm_reference  # noqa: E402

BATCH = 2
SIZE_299 = {"inception_v3", "inception_v4", "inception_resnet_v2", "xception"}


def builders():
    """Every registered architecture that has a PyTorch reference, by name."""
    build = {name: (lambda n=name: models.get_model(n)) for name in TORCHVISION}
    build.update({name: (lambda m=m: m) for name, m in paper_models().items()})
    build.update({name: (lambda n=name: se_resnet_reference.build(n)) for name in se_resnet_reference.VARIANTS})
    for variant in repvgg_reference.VARIANTS:
        build[f"repvgg_{variant}"] = lambda v=variant: repvgg_reference.build(v)
        build[f"repvgg_{variant}_deploy"] = lambda v=variant: repvgg_reference.build(v, deploy=True)
    build.update(timm_reference.MODELS)
    return build


def check(name, build, directory):
    model = build().eval()
    state = {k: torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v
             for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    size = 299 if name in SIZE_299 else 224
    x = torch.from_numpy(tensor("input", (BATCH, 3, size, size)))
    with torch.no_grad():
        expected = model(x)
        expected = (expected[0] if isinstance(expected, tuple) else expected).numpy()
    weights = os.path.join(directory, "weights.npz")
    np.savez(weights, **{k: v.numpy() for k, v in state.items()})
    x_path, y_path = os.path.join(directory, "x.npy"), os.path.join(directory, "y.npy")
    np.save(x_path, x.numpy())
    zip_path, onnx_path = os.path.join(directory, "model.zip"), os.path.join(directory, "model.onnx")
    repzoo("import", name, "--weights", weights, "--out", zip_path)
    t_export = repzoo("export", zip_path, "--out", onnx_path)
    proto = onnx.load(onnx_path)
    onnx.checker.check_model(proto, full_check=True)  # raises on any violation
    repzoo("predict", onnx_path, "--input", x_path, "--output", y_path)
    y = np.load(y_path)
    dims = [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    row = {"model": name, "size": size, "relative": float(np.abs(y - expected).max() / np.abs(expected).max()),
           "same_top1": bool((y.argmax(1) == expected.argmax(1)).all()), "checker": "passed",
           "nodes": len(proto.graph.node), "megabytes": os.path.getsize(onnx_path) / 1e6,
           "dynamic": dims[2] == "height", "export_s": round(t_export, 1)}
    for f in os.listdir(directory):
        os.remove(os.path.join(directory, f))
    return row


def main():
    known = builders()
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=",".join(known))
    parser.add_argument("--markdown")
    args = parser.parse_args()
    torch.set_num_threads(2)
    rows, failed = [], False
    print(f"onnx {onnx.__version__}, torch {torch.__version__}", flush=True)
    with tempfile.TemporaryDirectory() as directory:
        for name in args.models.split(","):
            try:
                row = check(name, known[name], directory)
            except Exception as error:  # one model's failure is a row, not the end of the table
                print(f"{name:20s} FAIL {type(error).__name__}: {str(error).splitlines()[0][:300]}", flush=True)
                failed = True
                continue
            rows.append(row)
            ok = row["relative"] <= 1e-4 and row["same_top1"]
            failed |= not ok
            print(f"{name:20s} {row['size']} {row['relative']:.2e} top-1 {'same' if row['same_top1'] else 'DIFFERENT'}"
                  f"  checker {row['checker']}  {row['nodes']} nodes  {row['megabytes']:.1f} MB"
                  f"  {'HxW dynamic' if row['dynamic'] else 'HxW fixed'}  export {row['export_s']} s"
                  f"  {'ok' if ok else 'FAIL'}", flush=True)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("| model | input | max \\|Δ\\| / max \\|logit\\| (ONNX Runtime vs PyTorch) | top-1 "
                    "| onnx.checker (full) | nodes | MB | height, width |\n|---|---:|---:|---|---|---:|---:|---|\n")
            for r in rows:
                f.write(f"| {r['model']} | {r['size']} | {r['relative']:.2e} | {'same' if r['same_top1'] else 'different'}"
                        f" | {r['checker']} | {r['nodes']} | {r['megabytes']:.1f} | "
                        f"{'dynamic' if r['dynamic'] else 'fixed'} |\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
