#!/usr/bin/python3
"""Logits of every RepZoo architecture that has a PyTorch reference, at full size, with hashed weights.

Each model gets the weights of hashed_weights.tensor (which the Java tests regenerate bit for bit), eval mode,
and the hashed input "input" of shape [2, 3, 224, 224] (299x299 for Inception v3, noted in its entry); the logits
go to the fixture. torchvision builds the models it has (GoogLeNet also with transform_input, an entry naming its
"arch" and option); the paper-only ones (VGG A-LRN and C, Network-in-Network) are written out below from their
papers, and the paper's GoogLeNet in googlenet_paper.py, with RepZoo's vertex names as module names; timm's
SE-ResNets come from se_resnet_reference.py, RepVGG-D2se (both forms) from repvgg_reference.py, and timm's
Inception-v4, Inception-ResNet-v2 and legacy Xception from timm_reference.py (at 224x224).

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/reference/parity_fixtures.py weights/src/test/resources/parity/logits.json
"""
import json
import sys

import torch
from torch import nn
from torchvision import models

from googlenet_paper import PaperGoogLeNet
import repvgg_reference
import se_resnet_reference
import timm_reference
from hashed_weights import tensor

TORCHVISION = ["vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
               "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "wide_resnet101_2",
               "googlenet", "inception_v3", "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d"]
# Registered architectures built with options: fixture name -> (registered name, torchvision keyword arguments).
VARIANTS = {"googlenet_transform_input": ("googlenet", {"transform_input": True})}
INPUT_SIZE = {"inception_v3": 299}  # every other model: 224
BATCH = 2


def input_size(name):
    return INPUT_SIZE.get(VARIANTS.get(name, (name,))[0], 224)


class PaperVgg(nn.Module):
    """torchvision's VGG layout (features / avgpool / classifier) for the paper's A-LRN and C columns."""

    def __init__(self, cfg):
        super().__init__()
        layers, channels = [], 3
        for item in cfg:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            elif item == "LRN":
                layers.append(nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0))
            else:
                width, kernel = item if isinstance(item, tuple) else (item, 3)
                layers += [nn.Conv2d(channels, width, kernel, padding=kernel // 2), nn.ReLU(inplace=True)]
                channels = width
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        self.classifier = nn.Sequential(nn.Linear(512 * 49, 4096), nn.ReLU(True), nn.Dropout(),
                                        nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class Nin(nn.Module):
    """Network-in-Network, ImageNet model of the Caffe model zoo (Caffe layer names)."""

    BLOCKS = [("conv1", 96, 11, 4, 0, "cccp1", "cccp2", 96), ("conv2", 256, 5, 1, 2, "cccp3", "cccp4", 256),
              ("conv3", 384, 3, 1, 1, "cccp5", "cccp6", 384),
              ("conv4-1024", 1024, 3, 1, 1, "cccp7-1024", "cccp8-1024", 1000)]

    def __init__(self):
        super().__init__()
        channels = 3
        for conv, width, kernel, stride, pad, cccp_a, cccp_b, out in self.BLOCKS:
            self.add_module(conv, nn.Conv2d(channels, width, kernel, stride, pad))
            self.add_module(cccp_a, nn.Conv2d(width, width, 1))
            self.add_module(cccp_b, nn.Conv2d(width, out, 1))
            channels = out

    def forward(self, x):
        for i, (conv, _, _, _, _, cccp_a, cccp_b, _) in enumerate(self.BLOCKS):
            for name in (conv, cccp_a, cccp_b):
                x = torch.relu(getattr(self, name)(x))
            if i < 3:
                x = nn.functional.max_pool2d(x, 3, 2, ceil_mode=True)
        return x.mean(dim=(2, 3))


def paper_models():
    a_lrn = [64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]
    c = [64, 64, "M", 128, 128, "M", 256, 256, (256, 1), "M", 512, 512, (512, 1), "M", 512, 512, (512, 1), "M"]
    return {"vgg11_lrn": PaperVgg(a_lrn), "vgg16_c": PaperVgg(c), "nin": Nin(), "googlenet_paper": PaperGoogLeNet()}


def main(out_path):
    torch.set_num_threads(2)
    fixtures = {"batch": BATCH, "input": [3, 224, 224], "torch": torch.__version__, "models": {}}
    builders = {name: (lambda n=name: models.get_model(n)) for name in TORCHVISION}
    builders.update({name: (lambda a=arch, k=kwargs: models.get_model(a, **k)) for name, (arch, kwargs) in VARIANTS.items()})
    builders.update({name: (lambda m=m: m) for name, m in paper_models().items()})
    builders.update({name: (lambda n=name: se_resnet_reference.build(n)) for name in se_resnet_reference.VARIANTS})
    builders["repvgg_d2se"] = lambda: repvgg_reference.build("d2se")
    builders["repvgg_d2se_deploy"] = lambda: repvgg_reference.build("d2se", deploy=True)
    builders.update(timm_reference.MODELS)
    for name, build in builders.items():
        size = input_size(name)
        x = torch.from_numpy(tensor("input", (BATCH, 3, size, size)))
        model = build().eval()
        state = {k: torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v
                 for k, v in model.state_dict().items()}
        model.load_state_dict(state)
        with torch.no_grad():
            logits = model(x)
        entry = {"logits": [[float(v) for v in row] for row in logits], "top1": logits.argmax(1).tolist()}
        if size != 224:
            entry["input"] = [3, size, size]
        if name in VARIANTS:
            entry["arch"], options = VARIANTS[name]
            entry.update(options)
        fixtures["models"][name] = entry
        print(f"{name:18s} max|logit| {logits.abs().max():.4g} top1 {logits.argmax(1).tolist()}", flush=True)
    with open(out_path, "w") as f:
        json.dump(fixtures, f)


if __name__ == "__main__":
    main(sys.argv[1])
