#!/usr/bin/python3
"""SE-ResNet and SE-ResNeXt as timm builds them (timm/models/resnet.py, attn_layer='se'), written out in PyTorch.

timm is not installed here, so the models are torchvision's ResNet (whose layout and module names timm's ResNet keeps:
conv1, bn1, layerS.B.conv1/bn1/conv2/bn2/conv3/bn3, downsample.0/1, fc) with timm's SEModule (timm/layers/
squeeze_excite.py) added to every bottleneck as `se`:

    x_se = x.mean((2, 3), keepdim=True); x_se = fc2(relu(fc1(x_se))); out = x * sigmoid(x_se)

applied to bn3's output, before the shortcut is added; fc1/fc2 are 1x1 convolutions with bias and
fc1 has make_divisible(channels / 16, 8, round_limit=0) outputs (timm/layers/helpers.py). The `se` module is
registered before `downsample`, so the state_dict's key order is timm's too.

    /usr/bin/python3 tools/reference/se_resnet_reference.py     # parameter counts, checked against timm's

timm's counts (also osmr/imgclsmob's and Cadene's pretrainedmodels' tests, which build the same SE blocks):
seresnet50 28,088,024; seresnet101 49,326,872; seresnext50_32x4d 27,559,896; seresnext101_32x4d 48,955,416.
"""
import sys

import torch
from torch import nn
from torchvision.models.resnet import Bottleneck, ResNet

# name: (blocks per stage, groups, width per group)
VARIANTS = {
    "seresnet50": ([3, 4, 6, 3], 1, 64),
    "seresnet101": ([3, 4, 23, 3], 1, 64),
    "seresnext50_32x4d": ([3, 4, 6, 3], 32, 4),
    "seresnext101_32x4d": ([3, 4, 23, 3], 32, 4),
}
TIMM_COUNTS = {"seresnet50": 28_088_024, "seresnet101": 49_326_872,
               "seresnext50_32x4d": 27_559_896, "seresnext101_32x4d": 48_955_416}


def make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    """timm.layers.helpers.make_divisible."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


class SEModule(nn.Module):
    """timm.layers.squeeze_excite.SEModule with its defaults (rd_ratio 1/16, rd_divisor 8, bias, ReLU, sigmoid)."""

    def __init__(self, channels):
        super().__init__()
        rd_channels = make_divisible(channels / 16, 8, round_limit=0.0)
        self.fc1 = nn.Conv2d(channels, rd_channels, kernel_size=1, bias=True)
        self.bn = nn.Identity()
        self.act = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, kernel_size=1, bias=True)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        x_se = x.mean((2, 3), keepdim=True)
        x_se = self.act(self.bn(self.fc1(x_se)))
        return x * self.gate(self.fc2(x_se))


class SEBottleneck(Bottleneck):
    """torchvision's bottleneck (stride on the 3x3, as timm's) with timm's SE after bn3."""

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__(inplanes, planes, stride, downsample, groups, base_width, dilation, norm_layer)
        del self.downsample  # registered again after `se`: timm's module (and key) order
        self.se = SEModule(planes * self.expansion)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.se(self.bn3(self.conv3(out)))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


def build(name, num_classes=1000):
    depths, groups, width = VARIANTS[name]
    return ResNet(SEBottleneck, depths, num_classes=num_classes, groups=groups, width_per_group=width)


def count(model):
    return sum(p.numel() for p in model.parameters())


def main():
    ok = True
    for name in VARIANTS:
        n = count(build(name))
        ok &= n == TIMM_COUNTS[name]
        print(f"{name:20s} {n:>12,d}  timm {TIMM_COUNTS[name]:>12,d}  {'equal' if n == TIMM_COUNTS[name] else 'DIFFERENT'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    with torch.no_grad():
        main()
