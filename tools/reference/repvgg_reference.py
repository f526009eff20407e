#!/usr/bin/python3
"""RepVGG as the official repository (DingXiaoH/RepVGG, repvgg.py) defines it, written out in PyTorch for reference.

Module names, branch rules and the conversion follow the official code: stage0 is one block, stages 1-4 are
ModuleLists of blocks; a block holds rbr_dense (3x3 conv + BN), rbr_1x1 (1x1 conv + BN) and, where in = out and
stride 1, rbr_identity (BN); groups on global layers 2, 4, ..., 26 for the g2/g4 variants; the deploy form is
rbr_reparam, a 3x3 conv with bias, made by the official get_equivalent_kernel_bias. RepVGG-D2se (added to the official
repository after the paper) has an SEBlock `se` (down/up 1x1 convs with bias, out_channels // 16 internal neurons) in
every block, stage0 included, applied to the branch sum (or to rbr_reparam's output) before the ReLU; the conversion
leaves it unchanged.

    /usr/bin/python3 tools/reference/repvgg_reference.py counts            # parameter counts of every variant
    /usr/bin/python3 tools/reference/repvgg_reference.py golden OUT.json   # keys, shapes and counts of every variant
    /usr/bin/python3 tools/reference/repvgg_reference.py fixture reparam/src/test/resources/repvgg/official_conversion.json
        # train-form logits and the official conversion's deploy logits, hashed weights (hashed_weights.py)
"""
import json
import sys

import torch
from torch import nn

GROUPWISE = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26]
A, B = [2, 4, 14, 1], [4, 6, 16, 1]
VARIANTS = {
    "a0": (A, [0.75, 0.75, 0.75, 2.5], 1), "a1": (A, [1, 1, 1, 2.5], 1), "a2": (A, [1.5, 1.5, 1.5, 2.75], 1),
    "b0": (B, [1, 1, 1, 2.5], 1), "b1": (B, [2, 2, 2, 4], 1), "b1g2": (B, [2, 2, 2, 4], 2), "b1g4": (B, [2, 2, 2, 4], 4),
    "b2": (B, [2.5, 2.5, 2.5, 5], 1), "b2g2": (B, [2.5, 2.5, 2.5, 5], 2), "b2g4": (B, [2.5, 2.5, 2.5, 5], 4),
    "b3": (B, [3, 3, 3, 5], 1), "b3g2": (B, [3, 3, 3, 5], 2), "b3g4": (B, [3, 3, 3, 5], 4),
    "d2se": ([8, 14, 24, 1], [2.5, 2.5, 2.5, 5], 1),
}
SE_VARIANTS = {"d2se"}


def conv_bn(cin, cout, kernel, stride, padding, groups):
    seq = nn.Sequential()
    seq.add_module("conv", nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False))
    seq.add_module("bn", nn.BatchNorm2d(cout))
    return seq


class SEBlock(nn.Module):
    """The official se_block.SEBlock: avg_pool2d with kernel = input width (global for square inputs), down, ReLU, up,
    sigmoid, channel-wise scale."""

    def __init__(self, channels, internal):
        super().__init__()
        self.down = nn.Conv2d(channels, internal, 1, 1, bias=True)
        self.up = nn.Conv2d(internal, channels, 1, 1, bias=True)
        self.channels = channels

    def forward(self, inputs):
        x = nn.functional.avg_pool2d(inputs, kernel_size=inputs.size(3))
        x = torch.sigmoid(self.up(torch.relu(self.down(x))))
        return inputs * x.view(-1, self.channels, 1, 1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, groups, deploy, use_se=False):
        super().__init__()
        self.nonlinearity = nn.ReLU()
        self.se = SEBlock(cout, cout // 16) if use_se else nn.Identity()
        self.groups, self.cin = groups, cin
        if deploy:
            self.rbr_reparam = nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=True)
        else:
            self.rbr_identity = nn.BatchNorm2d(cin) if cin == cout and stride == 1 else None
            self.rbr_dense = conv_bn(cin, cout, 3, stride, 1, groups)
            self.rbr_1x1 = conv_bn(cin, cout, 1, stride, 0, groups)

    def forward(self, x):
        if hasattr(self, "rbr_reparam"):
            return self.nonlinearity(self.se(self.rbr_reparam(x)))
        identity = 0 if self.rbr_identity is None else self.rbr_identity(x)
        return self.nonlinearity(self.se(self.rbr_dense(x) + self.rbr_1x1(x) + identity))

    # The official conversion (get_equivalent_kernel_bias / _fuse_bn_tensor / _pad_1x1_to_3x3_tensor).
    def equivalent_kernel_bias(self):
        k3, b3 = self._fuse(self.rbr_dense)
        k1, b1 = self._fuse(self.rbr_1x1)
        kid, bid = self._fuse(self.rbr_identity)
        return k3 + nn.functional.pad(k1, [1, 1, 1, 1]) + kid, b3 + b1 + bid

    def _fuse(self, branch):
        if branch is None:
            return 0, 0
        if isinstance(branch, nn.Sequential):
            kernel, bn = branch.conv.weight, branch.bn
        else:
            per_group = self.cin // self.groups
            kernel = torch.zeros((self.cin, per_group, 3, 3), dtype=branch.weight.dtype)
            for i in range(self.cin):
                kernel[i, i % per_group, 1, 1] = 1
            bn = branch
        std = (bn.running_var + bn.eps).sqrt()
        t = (bn.weight / std).reshape(-1, 1, 1, 1)
        return kernel * t, bn.bias - bn.running_mean * bn.weight / std


class RepVGG(nn.Module):
    def __init__(self, depths, multipliers, groups, deploy=False, num_classes=1000, use_se=False):
        super().__init__()
        self.use_se = use_se
        self.in_planes = min(64, int(64 * multipliers[0]))
        self.stage0 = Block(3, self.in_planes, 2, 1, deploy, use_se)
        self.layer = 1
        self.stage1 = self._stage(int(64 * multipliers[0]), depths[0], groups, deploy)
        self.stage2 = self._stage(int(128 * multipliers[1]), depths[1], groups, deploy)
        self.stage3 = self._stage(int(256 * multipliers[2]), depths[2], groups, deploy)
        self.stage4 = self._stage(int(512 * multipliers[3]), depths[3], groups, deploy)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(int(512 * multipliers[3]), num_classes)

    def _stage(self, planes, depth, groups, deploy):
        blocks = []
        for stride in [2] + [1] * (depth - 1):
            g = groups if self.layer in GROUPWISE else 1
            blocks.append(Block(self.in_planes, planes, stride, g, deploy, self.use_se))
            self.in_planes = planes
            self.layer += 1
        return nn.ModuleList(blocks)

    def forward(self, x):
        x = self.stage0(x)
        for stage in (self.stage1, self.stage2, self.stage3, self.stage4):
            for block in stage:
                x = block(x)
        return self.linear(torch.flatten(self.gap(x), 1))


def build(variant, deploy=False, num_classes=1000):
    depths, multipliers, groups = VARIANTS[variant]
    return RepVGG(depths, multipliers, groups, deploy, num_classes, use_se=variant in SE_VARIANTS)


def convert(train_model, variant):
    """The official repvgg_model_convert: a deploy model whose rbr_reparam holds each block's equivalent kernel."""
    deploy = build(variant, deploy=True, num_classes=train_model.linear.out_features)
    source = dict(train_model.named_modules())
    with torch.no_grad():
        for name, module in deploy.named_modules():
            if isinstance(module, Block):
                kernel, bias = source[name].equivalent_kernel_bias()
                module.rbr_reparam.weight.copy_(kernel)
                module.rbr_reparam.bias.copy_(bias)
                module.se.load_state_dict(source[name].se.state_dict())
        deploy.linear.load_state_dict(train_model.linear.state_dict())
    return deploy


def fixture(path):
    """For A0 and B1g4: hashed train-form weights (Java regenerates them), PyTorch's train-form logits, and the
    logits of the official conversion's deploy model, for the hashed input of shape [2, 3, 224, 224]."""
    from hashed_weights import tensor
    torch.set_num_threads(2)
    x = torch.from_numpy(tensor("input", (2, 3, 224, 224)))
    out = {"batch": 2, "input": [3, 224, 224], "torch": torch.__version__, "models": {}}
    for variant in ("a0", "b1g4"):
        model = build(variant).eval()
        model.load_state_dict({k: torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v
                               for k, v in model.state_dict().items()})
        deploy = convert(model, variant).eval()
        with torch.no_grad():
            train_logits, deploy_logits = model(x), deploy(x)
        gap = float((train_logits - deploy_logits).abs().max() / train_logits.abs().max())
        out["models"]["repvgg_" + variant] = {"train_logits": train_logits.tolist(), "deploy_logits": deploy_logits.tolist(),
                                              "torch_train_vs_deploy": gap}
        print(f"repvgg_{variant}: max|logit| {train_logits.abs().max():.4g}, official conversion gap {gap:.2e}")
    with open(path, "w") as f:
        json.dump(out, f)


def count(model):
    return sum(p.numel() for p in model.parameters())


def main():
    if sys.argv[1] == "counts":
        for variant in VARIANTS:
            print(f"{variant:5s} train {count(build(variant)):>12,d}  deploy {count(build(variant, True)):>12,d}")
    elif sys.argv[1] == "golden":
        golden = {}
        for variant in VARIANTS:
            for deploy in (False, True):
                model = build(variant, deploy)
                name = "repvgg_" + variant + ("_deploy" if deploy else "")
                golden[name] = {"parameters": count(model),
                                "keys": {k: list(v.shape) for k, v in model.state_dict().items()}}
        with open(sys.argv[2], "w") as f:
            json.dump(golden, f)
    elif sys.argv[1] == "fixture":
        fixture(sys.argv[2])


if __name__ == "__main__":
    main()
