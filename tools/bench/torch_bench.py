#!/usr/bin/python3
"""PyTorch's side of `repzoo bench`: the same architecture, batch, input and thread count, timed the same way (warm-up
iterations, then timed ones; median, min and max), and the ONNX export that ONNX Runtime's side runs.

Models: torchvision 0.14 for VGG, ResNet, Wide ResNet, ResNeXt, GoogLeNet and Inception v3; the official RepVGG module
(tools/reference/repvgg_reference.py; `_deploy` names build the deploy form directly); timm's SE-ResNe(X)t as written
out in tools/reference/se_resnet_reference.py; the paper's GoogLeNet (tools/reference/googlenet_paper.py). RepZoo
names PyTorch cannot build here (timm-only: inception_v4, inception_resnet_v2, xception, repvgg_d2se; and nin,
vgg11_lrn, vgg16_c) print {"skipped": reason} and exit 0.

Inference: eval mode under torch.no_grad(). Training step: train mode, cross-entropy on random labels for every output
(auxiliary heads weighted 0.3), backward, plain SGD step, as `repzoo bench --mode train` does.

    /usr/bin/python3 tools/bench/torch_bench.py NAME [--batch 16] [--input 3x224x224] [--threads 2] [--mode infer]
        [--warmup 2] [--iterations 10] [--max-seconds 0] [--json OUT.json]
    /usr/bin/python3 tools/bench/torch_bench.py NAME --export-onnx OUT.onnx [--input 3x224x224]
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
from torch import nn
from torchvision import models

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))

TORCHVISION = re.compile(r"(vgg(11|13|16|19)(_bn)?|resnet(18|34|50|101|152)|wide_resnet(50|101)_2|resnext50_32x4d"
                         r"|resnext101_32x8d|resnext101_64x4d|googlenet|inception_v3)")
MIN_TIMED = 3


def build(name):
    """The PyTorch model for a RepZoo name, or a string saying why there is none."""
    if TORCHVISION.fullmatch(name):
        if name in ("googlenet", "inception_v3"):
            return models.get_model(name, aux_logits=True, init_weights=False)
        return models.get_model(name)
    match = re.fullmatch(r"repvgg_(\w+?)(_deploy)?", name)
    if match:
        import repvgg_reference
        variant = match.group(1)
        if variant not in repvgg_reference.VARIANTS:
            return f"no RepVGG variant {variant}"
        return repvgg_reference.build(variant, deploy=match.group(2) is not None)
    if name.startswith("se"):
        import se_resnet_reference
        if name in se_resnet_reference.VARIANTS:
            return se_resnet_reference.build(name)
    if name == "googlenet_paper":
        import googlenet_paper
        return googlenet_paper.PaperGoogLeNet()
    return f"{name} has no PyTorch definition here (timm is not installed, or no reference module)"


def tensors(output):
    """Every tensor of a model output: a tensor, a (named) tuple or list of them, nested."""
    if isinstance(output, torch.Tensor):
        return [output]
    return [t for item in output if item is not None for t in tensors(item)]


def resident_peak():
    """Linux's resident high-water mark, bytes (reset by reset_resident_peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


def reset_resident_peak():
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def step_function(model, x, mode):
    if mode == "infer":
        model.eval()

        def infer():
            with torch.no_grad():
                model(x)
        return infer
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    with torch.no_grad():
        classes = tensors(model.eval()(x[:1]))[0].shape[1]
    model.train()
    labels = torch.randint(0, classes, (x.shape[0],), generator=torch.Generator().manual_seed(42))
    loss_function = nn.CrossEntropyLoss()

    def train():
        optimizer.zero_grad()
        outputs = tensors(model(x))
        loss = loss_function(outputs[0], labels)
        for aux in outputs[1:]:
            loss = loss + 0.3 * loss_function(aux, labels)
        loss.backward()
        optimizer.step()
    return train


def bench(model, args, shape):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.rand(args.batch, *shape) - 0.5
    step = step_function(model, x, args.mode)
    reset_resident_peak()
    for _ in range(args.warmup):
        step()
    seconds, spent = [], 0.0
    while len(seconds) < args.iterations:
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
        spent += seconds[-1]
        if args.max_seconds > 0 and spent >= args.max_seconds and len(seconds) >= MIN_TIMED:
            break
    median = statistics.median(seconds)
    return {
        "engine": f"PyTorch {torch.__version__}",
        "model": args.name, "input": "x".join(map(str, shape)), "mode": args.mode, "batch": args.batch,
        "threads": torch.get_num_threads(), "timed_iterations": len(seconds),
        "images_per_second": {"median": args.batch / median, "min": args.batch / max(seconds),
                              "max": args.batch / min(seconds)},
        "seconds_per_batch": {"median": median, "min": min(seconds), "max": max(seconds)},
        "peak_resident_bytes": resident_peak(),
        "parameter_bytes": sum(p.numel() * p.element_size() for p in model.parameters()),
        "load_average": os.getloadavg()[0],
    }


def export(model, path, shape):
    """ONNX with a dynamic batch dimension; torch.onnx.export needs no `onnx` package for this."""
    model.eval()
    tmp = path + ".tmp"
    torch.onnx.export(model, torch.rand(1, *shape), tmp, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--input", default="3x224x224")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mode", choices=["infer", "train"], default="infer")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=0)
    parser.add_argument("--json")
    parser.add_argument("--export-onnx", metavar="OUT.onnx")
    args = parser.parse_args()
    if not re.fullmatch(r"\d+x\d+x\d+", args.input):
        parser.error(f"bad --input '{args.input}': expected CxHxW")
    shape = tuple(int(v) for v in args.input.split("x"))
    model = build(args.name)
    if isinstance(model, str):
        report = {"model": args.name, "skipped": model}
    elif args.export_onnx:
        export(model, args.export_onnx, shape)
        report = {"model": args.name, "onnx": args.export_onnx}
    else:
        report = bench(model, args, shape)
    text = json.dumps(report, indent=2)
    if args.json:
        with open(args.json + ".tmp", "w") as out:
            out.write(text + "\n")
        os.replace(args.json + ".tmp", args.json)
    print(text)


if __name__ == "__main__":
    main()
