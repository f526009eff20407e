#!/usr/bin/python3
"""Writes the golden facts of the reference implementations that RepZoo's zoo tests compare against.

For every torchvision architecture that RepZoo registers, for timm's SE-ResNets written out in se_resnet_reference.py,
for timm's Inception-v4, Inception-ResNet-v2 and legacy Xception written out from timm's source (timm_reference.py),
for RepVGG variants written out from the official repository (repvgg_reference.py; a subset covering every width
rule, groups, SE and both forms) and for the paper's GoogLeNet (googlenet_paper.py): the state_dict keys with their
shapes, the parameter count, and the multiply-adds of every Conv2d/Linear at the default input (224 for timm's),
auxiliary classifiers included (counted with forward hooks, so the figure is independent of RepZoo's own counter).

Run with Debian's PyTorch (apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 tools/reference/golden_keys.py zoo/src/test/resources/golden/torchvision.json
The tests read only the committed JSON; they never need PyTorch.
"""
import json
import sys

import torch
import torchvision
from torchvision import models

import repvgg_reference
from googlenet_paper import PaperGoogLeNet
import se_resnet_reference
import timm_reference

NAMES = [
    "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "wide_resnet50_2", "wide_resnet101_2",
    "googlenet", "inception_v3",
    "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
]
REPVGG = ["a0", "a2", "b1g4", "b2g4", "d2se"]
TIMM = ["inception_v4", "inception_resnet_v2", "xception"]
INPUT_SIZE = {"inception_v3": 299, "repvgg_d2se": 320, "repvgg_d2se_deploy": 320}  # every other model: 224


def multiply_adds(model, size):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, torch.nn.Linear):
            total += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    model.eval()
    if getattr(model, "aux_logits", False):
        model.training = True  # the top module's flag alone runs the auxiliary classifiers; BN and dropout stay in eval
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in handles:
        h.remove()
    return total


def main(out_path):
    golden = {"torchvision": torchvision.__version__, "models": {}}
    builders = [(name, lambda n=name: models.get_model(n)) for name in NAMES]
    builders.append(("googlenet_paper", PaperGoogLeNet))
    builders += [(name, lambda n=name: se_resnet_reference.build(n)) for name in se_resnet_reference.VARIANTS]
    for variant in REPVGG:
        builders.append(("repvgg_" + variant, lambda v=variant: repvgg_reference.build(v)))
        builders.append(("repvgg_" + variant + "_deploy", lambda v=variant: repvgg_reference.build(v, deploy=True)))
    builders += [(name, timm_reference.MODELS[name]) for name in TIMM]
    for name, build in builders:
        model = build()
        state = model.state_dict()
        size = INPUT_SIZE.get(name, 224)
        golden["models"][name] = {
            "num_params": sum(p.numel() for p in model.parameters()),
            f"multiply_adds_{size}": multiply_adds(model, size),
            "keys": {k: list(v.shape) for k, v in state.items()},
        }
        print(f"{name:18s} {golden['models'][name]['num_params']:>12,d}")
    with open(out_path, "w") as f:
        json.dump(golden, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
