#!/usr/bin/python3
"""Inception-v4, Inception-ResNet-v2 and Xception as timm defines them, written out in plain PyTorch for reference.

timm is not installed here; these modules follow timm's source (timm/models/inception_v4.py, inception_resnet_v2.py
and xception.py, whose model timm registers as ``legacy_xception``) module for module, so ``state_dict()`` has timm's
keys, shapes and order: ``features.N.conv/bn`` and ``last_linear`` (Inception-v4), ``conv2d_1a.conv``,
``repeat.K.branchB.I.conv``, ``block8.conv2d``, ``classif`` (Inception-ResNet-v2), ``blockN.rep.I.conv1/pointwise``,
``blockN.skip/skipbn``, ``fc`` (Xception). ``counts`` compares the parameter counts with timm's published ones;
``shapes`` prints the feature shapes to compare with timm's ``pool_size`` (8x8, 8x8, 10x10) and the papers' figures.

    /usr/bin/python3 tools/reference/timm_reference.py counts         # parameter counts, buffers, key counts
    /usr/bin/python3 tools/reference/timm_reference.py shapes         # per-block output shapes at 299x299
    /usr/bin/python3 tools/reference/timm_reference.py golden OUT.json  # keys and shapes of every model
"""
import json
import sys

import torch
from torch import nn

BN_EPS_INCEPTION = 1e-3  # timm: norm_eps=1e-3 (Inception-v4), BatchNorm2d(eps=.001) (Inception-ResNet-v2)


class ConvBn(nn.Module):
    """timm's ConvNormAct / BasicConv2d: conv without bias, BatchNorm (eps 1e-3), ReLU."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS_INCEPTION)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


def seq(*modules):
    return nn.Sequential(*modules)


def avg_pool():
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


class Concat(nn.Module):
    """Runs the named branches on the same input and concatenates them in the given order."""

    order = ()

    def forward(self, x):
        return torch.cat([getattr(self, name)(x) for name in self.order], 1)


# ------------------------------------------------------------------------------------------------ Inception-v4

class Mixed3a(Concat):
    order = ("maxpool", "conv")

    def __init__(self):
        super().__init__()
        self.maxpool = nn.MaxPool2d(3, stride=2)
        self.conv = ConvBn(64, 96, 3, 2)


class Mixed4a(Concat):
    order = ("branch0", "branch1")

    def __init__(self):
        super().__init__()
        self.branch0 = seq(ConvBn(160, 64, 1), ConvBn(64, 96, 3))
        self.branch1 = seq(ConvBn(160, 64, 1), ConvBn(64, 64, (1, 7), padding=(0, 3)),
                           ConvBn(64, 64, (7, 1), padding=(3, 0)), ConvBn(64, 96, 3))


class Mixed5a(Concat):
    order = ("conv", "maxpool")

    def __init__(self):
        super().__init__()
        self.conv = ConvBn(192, 192, 3, 2)
        self.maxpool = nn.MaxPool2d(3, stride=2)


class InceptionA(Concat):
    order = ("branch0", "branch1", "branch2", "branch3")

    def __init__(self):
        super().__init__()
        self.branch0 = ConvBn(384, 96, 1)
        self.branch1 = seq(ConvBn(384, 64, 1), ConvBn(64, 96, 3, padding=1))
        self.branch2 = seq(ConvBn(384, 64, 1), ConvBn(64, 96, 3, padding=1), ConvBn(96, 96, 3, padding=1))
        self.branch3 = seq(avg_pool(), ConvBn(384, 96, 1))


class ReductionA(Concat):
    order = ("branch0", "branch1", "branch2")

    def __init__(self):
        super().__init__()
        self.branch0 = ConvBn(384, 384, 3, 2)
        self.branch1 = seq(ConvBn(384, 192, 1), ConvBn(192, 224, 3, padding=1), ConvBn(224, 256, 3, 2))
        self.branch2 = nn.MaxPool2d(3, stride=2)


class InceptionB(Concat):
    order = ("branch0", "branch1", "branch2", "branch3")

    def __init__(self):
        super().__init__()
        self.branch0 = ConvBn(1024, 384, 1)
        self.branch1 = seq(ConvBn(1024, 192, 1), ConvBn(192, 224, (1, 7), padding=(0, 3)),
                           ConvBn(224, 256, (7, 1), padding=(3, 0)))
        self.branch2 = seq(ConvBn(1024, 192, 1), ConvBn(192, 192, (7, 1), padding=(3, 0)),
                           ConvBn(192, 224, (1, 7), padding=(0, 3)), ConvBn(224, 224, (7, 1), padding=(3, 0)),
                           ConvBn(224, 256, (1, 7), padding=(0, 3)))
        self.branch3 = seq(avg_pool(), ConvBn(1024, 128, 1))


class ReductionB(Concat):
    order = ("branch0", "branch1", "branch2")

    def __init__(self):
        super().__init__()
        self.branch0 = seq(ConvBn(1024, 192, 1), ConvBn(192, 192, 3, 2))
        self.branch1 = seq(ConvBn(1024, 256, 1), ConvBn(256, 256, (1, 7), padding=(0, 3)),
                           ConvBn(256, 320, (7, 1), padding=(3, 0)), ConvBn(320, 320, 3, 2))
        self.branch2 = nn.MaxPool2d(3, stride=2)


class InceptionC(nn.Module):
    def __init__(self):
        super().__init__()
        self.branch0 = ConvBn(1536, 256, 1)
        self.branch1_0 = ConvBn(1536, 384, 1)
        self.branch1_1a = ConvBn(384, 256, (1, 3), padding=(0, 1))
        self.branch1_1b = ConvBn(384, 256, (3, 1), padding=(1, 0))
        self.branch2_0 = ConvBn(1536, 384, 1)
        self.branch2_1 = ConvBn(384, 448, (3, 1), padding=(1, 0))
        self.branch2_2 = ConvBn(448, 512, (1, 3), padding=(0, 1))
        self.branch2_3a = ConvBn(512, 256, (1, 3), padding=(0, 1))
        self.branch2_3b = ConvBn(512, 256, (3, 1), padding=(1, 0))
        self.branch3 = seq(avg_pool(), ConvBn(1536, 256, 1))

    def forward(self, x):
        x1 = self.branch1_0(x)
        x2 = self.branch2_2(self.branch2_1(self.branch2_0(x)))
        return torch.cat([self.branch0(x), self.branch1_1a(x1), self.branch1_1b(x1), self.branch2_3a(x2),
                          self.branch2_3b(x2), self.branch3(x)], 1)


class InceptionV4(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        blocks = [ConvBn(3, 32, 3, 2), ConvBn(32, 32, 3), ConvBn(32, 64, 3, padding=1), Mixed3a(), Mixed4a(), Mixed5a()]
        blocks += [InceptionA() for _ in range(4)] + [ReductionA()]
        blocks += [InceptionB() for _ in range(7)] + [ReductionB()]
        blocks += [InceptionC() for _ in range(3)]
        self.features = nn.Sequential(*blocks)
        self.last_linear = nn.Linear(1536, num_classes)

    def forward(self, x):
        return self.last_linear(self.features(x).mean((2, 3)))


# ------------------------------------------------------------------------------------------------ Inception-ResNet-v2

class Mixed5b(Concat):
    order = ("branch0", "branch1", "branch2", "branch3")

    def __init__(self):
        super().__init__()
        self.branch0 = ConvBn(192, 96, 1)
        self.branch1 = seq(ConvBn(192, 48, 1), ConvBn(48, 64, 5, padding=2))
        self.branch2 = seq(ConvBn(192, 64, 1), ConvBn(64, 96, 3, padding=1), ConvBn(96, 96, 3, padding=1))
        self.branch3 = seq(avg_pool(), ConvBn(192, 64, 1))


class Residual(nn.Module):
    """Block35 / Block17 / Block8: concatenated branches, a 1x1 conv with bias, scaled, added to the input, ReLU."""

    def __init__(self, channels, branches, scale, relu=True):
        super().__init__()
        self.scale, self.relu = scale, relu
        self.names = []
        for i, branch in enumerate(branches):
            self.add_module(f"branch{i}", branch)
            self.names.append(f"branch{i}")
        width = sum(b[-1].conv.out_channels if isinstance(b, nn.Sequential) else b.conv.out_channels for b in branches)
        self.conv2d = nn.Conv2d(width, channels, 1)

    def forward(self, x):
        out = self.conv2d(torch.cat([getattr(self, n)(x) for n in self.names], 1)) * self.scale + x
        return torch.relu(out) if self.relu else out


def block35():
    return Residual(320, [ConvBn(320, 32, 1), seq(ConvBn(320, 32, 1), ConvBn(32, 32, 3, padding=1)),
                          seq(ConvBn(320, 32, 1), ConvBn(32, 48, 3, padding=1), ConvBn(48, 64, 3, padding=1))], 0.17)


def block17():
    return Residual(1088, [ConvBn(1088, 192, 1), seq(ConvBn(1088, 128, 1), ConvBn(128, 160, (1, 7), padding=(0, 3)),
                                                     ConvBn(160, 192, (7, 1), padding=(3, 0)))], 0.10)


def block8(scale=0.20, relu=True):
    return Residual(2080, [ConvBn(2080, 192, 1), seq(ConvBn(2080, 192, 1), ConvBn(192, 224, (1, 3), padding=(0, 1)),
                                                     ConvBn(224, 256, (3, 1), padding=(1, 0)))], scale, relu)


class Mixed6a(Concat):
    order = ("branch0", "branch1", "branch2")

    def __init__(self):
        super().__init__()
        self.branch0 = ConvBn(320, 384, 3, 2)
        self.branch1 = seq(ConvBn(320, 256, 1), ConvBn(256, 256, 3, padding=1), ConvBn(256, 384, 3, 2))
        self.branch2 = nn.MaxPool2d(3, stride=2)


class Mixed7a(Concat):
    order = ("branch0", "branch1", "branch2", "branch3")

    def __init__(self):
        super().__init__()
        self.branch0 = seq(ConvBn(1088, 256, 1), ConvBn(256, 384, 3, 2))
        self.branch1 = seq(ConvBn(1088, 256, 1), ConvBn(256, 288, 3, 2))
        self.branch2 = seq(ConvBn(1088, 256, 1), ConvBn(256, 288, 3, padding=1), ConvBn(288, 320, 3, 2))
        self.branch3 = nn.MaxPool2d(3, stride=2)


class InceptionResnetV2(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv2d_1a = ConvBn(3, 32, 3, 2)
        self.conv2d_2a = ConvBn(32, 32, 3)
        self.conv2d_2b = ConvBn(32, 64, 3, padding=1)
        self.maxpool_3a = nn.MaxPool2d(3, stride=2)
        self.conv2d_3b = ConvBn(64, 80, 1)
        self.conv2d_4a = ConvBn(80, 192, 3)
        self.maxpool_5a = nn.MaxPool2d(3, stride=2)
        self.mixed_5b = Mixed5b()
        self.repeat = nn.Sequential(*[block35() for _ in range(10)])
        self.mixed_6a = Mixed6a()
        self.repeat_1 = nn.Sequential(*[block17() for _ in range(20)])
        self.mixed_7a = Mixed7a()
        self.repeat_2 = nn.Sequential(*[block8() for _ in range(9)])
        self.block8 = block8(scale=1.0, relu=False)
        self.conv2d_7b = ConvBn(2080, 1536, 1)
        self.classif = nn.Linear(1536, num_classes)

    def forward(self, x):
        for name, module in self.named_children():
            if name == "classif":
                break
            x = module(x)
        return self.classif(x.mean((2, 3)))


# ------------------------------------------------------------------------------------------------ Xception

class SeparableConv2d(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cin, 3, 1, 1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.conv1(x))


class XceptionBlock(nn.Module):
    """timm's Block: rep = [ReLU, SeparableConv2d, BN] * reps (the first ReLU dropped when start_with_relu is false),
    then a 3x3/2 max pool (padding 1) when strided; skip = 1x1 conv + BN where the shape changes; output rep + skip."""

    def __init__(self, cin, cout, reps, stride, start_with_relu=True, grow_first=True):
        super().__init__()
        if cout != cin or stride != 1:
            self.skip = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.skipbn = nn.BatchNorm2d(cout)
        else:
            self.skip = None
        rep = []
        for i in range(reps):
            if grow_first:
                inc, outc = (cin if i == 0 else cout), cout
            else:
                inc, outc = cin, (cin if i < reps - 1 else cout)
            rep += [nn.ReLU(), SeparableConv2d(inc, outc), nn.BatchNorm2d(outc)]
        if not start_with_relu:
            rep = rep[1:]
        if stride != 1:
            rep.append(nn.MaxPool2d(3, stride, 1))
        self.rep = nn.Sequential(*rep)

    def forward(self, x):
        skip = x if self.skip is None else self.skipbn(self.skip(x))
        return self.rep(x) + skip


class Xception(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.block1 = XceptionBlock(64, 128, 2, 2, start_with_relu=False)
        self.block2 = XceptionBlock(128, 256, 2, 2)
        self.block3 = XceptionBlock(256, 728, 2, 2)
        for i in range(4, 12):
            self.add_module(f"block{i}", XceptionBlock(728, 728, 3, 1))
        self.block12 = XceptionBlock(728, 1024, 2, 2, grow_first=False)
        self.conv3 = SeparableConv2d(1024, 1536)
        self.bn3 = nn.BatchNorm2d(1536)
        self.conv4 = SeparableConv2d(1536, 2048)
        self.bn4 = nn.BatchNorm2d(2048)
        self.fc = nn.Linear(2048, num_classes)

    def features(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        for i in range(1, 13):
            x = getattr(self, f"block{i}")(x)
        x = torch.relu(self.bn3(self.conv3(x)))
        return torch.relu(self.bn4(self.conv4(x)))

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


MODELS = {"inception_v4": InceptionV4, "inception_resnet_v2": InceptionResnetV2, "xception": Xception}

# Facts from timm: the parameter counts it publishes for these models (42.68M, 55.84M; legacy_xception 22,855,952).
TIMM_MILLIONS = {"inception_v4": 42.68, "inception_resnet_v2": 55.84, "xception": 22.86}
TIMM_EXACT = {"xception": 22_855_952}


def counts():
    for name, build in MODELS.items():
        model = build()
        params = sum(p.numel() for p in model.parameters())
        buffers = sum(b.numel() for k, b in model.state_dict().items() if k.endswith(("running_mean", "running_var")))
        keys = len([k for k in model.state_dict() if not k.endswith("num_batches_tracked")])
        ok = round(params / 1e6, 2) == TIMM_MILLIONS[name] and TIMM_EXACT.get(name, params) == params
        print(f"{name:20s} parameters {params:,} (timm {TIMM_MILLIONS[name]}M{' ok' if ok else ' MISMATCH'}), "
              f"BN running stats {buffers:,}, state_dict keys without num_batches_tracked {keys}")


def shapes():
    torch.set_num_threads(2)
    x = torch.zeros(1, 3, 299, 299)
    with torch.no_grad():
        v4 = InceptionV4().eval()
        y = x
        for i, block in enumerate(v4.features):
            y = block(y)
            print(f"inception_v4 features.{i}: {tuple(y.shape[1:])}")
        irv2 = InceptionResnetV2().eval()
        y = x
        for name, module in irv2.named_children():
            if name == "classif":
                break
            y = module(y)
            print(f"inception_resnet_v2 {name}: {tuple(y.shape[1:])}")
        xc = Xception().eval()
        y = torch.relu(xc.bn2(xc.conv2(torch.relu(xc.bn1(xc.conv1(x))))))
        print(f"xception bn2: {tuple(y.shape[1:])}")
        for i in range(1, 13):
            y = getattr(xc, f"block{i}")(y)
            print(f"xception block{i}: {tuple(y.shape[1:])}")
        print(f"xception features: {tuple(xc.features(x).shape[1:])}")


def golden(path):
    out = {"made_by": "tools/reference/timm_reference.py", "torch": torch.__version__, "models": {}}
    for name, build in MODELS.items():
        model = build()
        out["models"][name] = {
            "parameters": sum(p.numel() for p in model.parameters()),
            "keys": {k: list(v.shape) for k, v in model.state_dict().items()},
        }
    with open(path, "w") as f:
        json.dump(out, f, indent=0)


if __name__ == "__main__":
    {"counts": counts, "shapes": shapes, "golden": lambda: golden(sys.argv[2])}[sys.argv[1]]()
