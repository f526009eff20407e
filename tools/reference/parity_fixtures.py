#!/usr/bin/python3
"""Logits of every RepZoo architecture that has a PyTorch reference, at full size, with hashed weights.

Each model gets the weights of hashed_weights.tensor (which the Java tests regenerate bit for bit), eval mode,
and the hashed input "input" of shape [2, 3, 224, 224]; the logits go to the fixture. torchvision builds the
models it has; the paper-only ones (VGG A-LRN and C, Network-in-Network) are written out below from their papers,
with RepZoo's vertex names as module names; timm's Inception-v4, Inception-ResNet-v2 and legacy Xception come from
timm_reference.py (timm's module names). Every model runs at 224x224, the 299x299 ones included.

    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 tools/reference/parity_fixtures.py zoo/src/test/resources/parity/logits.json
"""
import json
import sys

import torch
from torch import nn
from torchvision import models

import timm_reference
from hashed_weights import tensor

TORCHVISION = ["vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
               "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "wide_resnet101_2"]
BATCH = 2


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
    return {"vgg11_lrn": PaperVgg(a_lrn), "vgg16_c": PaperVgg(c), "nin": Nin()}


def main(out_path):
    torch.set_num_threads(2)
    x = torch.from_numpy(tensor("input", (BATCH, 3, 224, 224)))
    fixtures = {"batch": BATCH, "input": [3, 224, 224], "torch": torch.__version__, "models": {}}
    builders = {name: (lambda n=name: models.get_model(n)) for name in TORCHVISION}
    builders.update({name: (lambda m=m: m) for name, m in paper_models().items()})
    builders.update(timm_reference.MODELS)
    for name, build in builders.items():
        model = build().eval()
        state = {k: torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v
                 for k, v in model.state_dict().items()}
        model.load_state_dict(state)
        with torch.no_grad():
            logits = model(x)
        fixtures["models"][name] = {"logits": [[float(v) for v in row] for row in logits],
                                    "top1": logits.argmax(1).tolist()}
        print(f"{name:18s} max|logit| {logits.abs().max():.4g} top1 {logits.argmax(1).tolist()}", flush=True)
    with open(out_path, "w") as f:
        json.dump(fixtures, f)


if __name__ == "__main__":
    main(sys.argv[1])
