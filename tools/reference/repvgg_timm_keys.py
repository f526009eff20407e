#!/usr/bin/python3
"""timm's RepVGG (timm/models/byobnet.py) written out in plain PyTorch, and its state_dict keys against the official
ones, for the weights module's timm key-scheme tests (weights/src/test/java/org/repzoo/weights/KeySchemeTest.java)
and the command line's export round trip (cli/src/test/java/org/repzoo/cli/WeightsCommandsTest.java).

timm is not installed here; the modules follow byobnet.py (read at huggingface/pytorch-image-models aa4b585,
2026-08) module for module, so state_dict() has timm's keys, shapes and order:
  * the stem is a RepVggBlock (`create_byob_stem(stem_type='rep')`): `stem.conv_kxk.conv/bn`, `stem.conv_1x1.conv/bn`,
    no identity (3 -> stem_chs channels, stride 2);
  * `stages` is an nn.Sequential of nn.Sequentials of RepVggBlocks: `stages.S.B.conv_kxk.conv.weight`,
    `stages.S.B.conv_1x1.bn.running_mean`, `stages.S.B.identity.weight` (a BatchNormAct2d, where in = out and
    stride 1); ConvNormAct's `.conv` (no bias) and `.bn` (BatchNormAct2d, eps 1e-5); groups from `_rep_vgg_bcfg`:
    group size chs // groups on the blocks with an odd index in their stage (the official layers 2, 4, ..., 26);
  * `inference_mode` (or `reparameterize()`): `reparam_conv`, a 3x3 conv with bias, instead of the branches;
  * RepVGG-D2se: `attn_layer='se'`, `rd_ratio=1/16`, `rd_divisor=1`: an SEModule `attn.fc1`/`attn.fc2` (1x1 convs with
    bias, `bn` an Identity) in every block, the stem included, applied to the branch sum before the ReLU;
  * `final_conv` is an Identity (num_features 0); the head is ClassifierHead's `head.fc`.

The script renames the official state_dict (repvgg_reference.py, hashed weights of hashed_weights.py) into timm's
names, loads it strictly into this module tree (so every timm key and shape is there, no more), and checks that the
timm model gives the official model's logits (relative 1e-5, on the hashed [2, 3, 32, 32] input times 2^64, where
every layer's weights move the logits: repvgg_import_fixtures.py says why). The fixture lists, per model and in timm's
state_dict order, [timm key, official key, shape]; the Java tests regenerate each tensor from its official key.

    apt-get install python3-torch
    /usr/bin/python3 tools/reference/repvgg_timm_keys.py weights/src/test/resources/repvgg/timm_keys.json.gz
"""
import gzip
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import repvgg_reference  # noqa: E402
from hashed_weights import tensor  # noqa: E402

# timm registers a0-a2, b0-b3 with g4 and d2se; these three cover the A, B and D depths, groups and SE.
VARIANTS = ["a0", "b1g4", "d2se"]
INPUT_SHAPE = (2, 3, 32, 32)
INPUT_LOG2_SCALE = 64


class ConvNormAct(nn.Module):
    """timm's ConvNormAct with apply_act=False: conv (no bias), BatchNormAct2d (identity activation)."""

    def __init__(self, cin, cout, kernel, stride, groups):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class SEModule(nn.Module):
    """timm's SEModule: mean over H, W, fc1, ReLU, fc2, sigmoid gate (bn is an Identity: no keys)."""

    def __init__(self, channels, rd_channels):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, rd_channels, 1, bias=True)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1, bias=True)

    def forward(self, x):
        s = self.fc2(torch.relu(self.fc1(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(s)


class RepVggBlock(nn.Module):
    """byobnet.RepVggBlock: attribute order as timm's __init__ (reparam_conv | identity, conv_kxk, conv_1x1; attn)."""

    def __init__(self, cin, cout, stride, groups, inference_mode, se):
        super().__init__()
        if inference_mode:
            self.reparam_conv = nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=True)
        else:
            self.reparam_conv = None
            self.identity = nn.BatchNorm2d(cout) if cin == cout and stride == 1 else None
            self.conv_kxk = ConvNormAct(cin, cout, 3, stride, groups)
            self.conv_1x1 = ConvNormAct(cin, cout, 1, stride, groups)
        # make_divisible(cout / 16, divisor=1, round_limit=0): int(v + 0.5), exact for these widths
        self.attn = SEModule(cout, int(cout / 16 + 0.5)) if se else nn.Identity()

    def forward(self, x):
        if self.reparam_conv is not None:
            return torch.relu(self.attn(self.reparam_conv(x)))
        if self.identity is None:
            x = self.conv_1x1(x) + self.conv_kxk(x)
        else:
            identity = self.identity(x)
            x = self.conv_1x1(x) + self.conv_kxk(x)
            x = x + identity
        return torch.relu(self.attn(x))


class ClassifierHead(nn.Module):
    def __init__(self, features, classes):
        super().__init__()
        self.fc = nn.Linear(features, classes)

    def forward(self, x):
        return self.fc(x.mean((2, 3)))


def make_divisible(v, divisor=8):
    """timm's make_divisible with round_limit 0.9 (the widths of _rep_vgg_bcfg)."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


class TimmRepVgg(nn.Module):
    """ByobNet for the repvgg_* configs: stem_type 'rep', stem_chs (48 for a0, else 64), four stages, ClassifierHead."""

    def __init__(self, variant, inference_mode=False, num_classes=1000):
        super().__init__()
        depths, multipliers, groups = repvgg_reference.VARIANTS[variant]
        se = variant in repvgg_reference.SE_VARIANTS
        stem_chs = 48 if variant == "a0" else 64
        self.stem = RepVggBlock(3, stem_chs, 2, 1, inference_mode, se)
        stages, cin = [], stem_chs
        for depth, base, wf in zip(depths, (64, 128, 256, 512), multipliers):
            cout = make_divisible(base * wf)
            blocks = []
            for idx in range(depth):
                group_size = cout // groups if groups > 0 and (idx + 1) % 2 == 0 else 0
                block_groups = cin // group_size if group_size else 1
                blocks.append(RepVggBlock(cin, cout, 2 if idx == 0 else 1, block_groups, inference_mode, se))
                cin = cout
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.final_conv = nn.Identity()
        self.head = ClassifierHead(cin, num_classes)

    def forward(self, x):
        return self.head(self.final_conv(self.stages(self.stem(x))))


def official_to_timm(variant, deploy):
    """Module renames official -> timm for this variant: stage0 -> stem, stageS.B -> stages.(S-1).B, in a block
    rbr_dense/rbr_1x1/rbr_identity/rbr_reparam -> conv_kxk/conv_1x1/identity/reparam_conv, se.down/up -> attn.fc1/fc2,
    linear -> head.fc."""
    depths = repvgg_reference.VARIANTS[variant][0]
    blocks = [("stage0", "stem")] + [(f"stage{s}.{b}", f"stages.{s - 1}.{b}")
                                     for s in range(1, 5) for b in range(depths[s - 1])]
    inner = [("rbr_reparam", "reparam_conv")] if deploy else [
        ("rbr_identity", "identity"), ("rbr_dense", "conv_kxk"), ("rbr_1x1", "conv_1x1")]
    inner += [("se.down", "attn.fc1"), ("se.up", "attn.fc2")]
    renames = [(f"{o}.{a}", f"{t}.{b}") for o, t in blocks for a, b in inner]
    return renames + [("linear", "head.fc")]


def rename(key, renames):
    for official, timm in renames:
        if key.startswith(official + "."):
            return timm + key[len(official):]
    raise KeyError(f"no timm name for {key}")


def check(variant, deploy, x):
    name = "repvgg_" + variant + ("_deploy" if deploy else "")
    official = repvgg_reference.build(variant, deploy=deploy).eval()
    state = OrderedDict((k, torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v)
                        for k, v in official.state_dict().items())
    official.load_state_dict(state)
    renames = official_to_timm(variant, deploy)
    timm_state = {rename(k, renames): v for k, v in state.items()}
    timm = TimmRepVgg(variant, inference_mode=deploy).eval()
    timm.load_state_dict(timm_state, strict=True)  # every timm key present, none left over, shapes equal
    back = {timm_key: official_key for official_key, timm_key in ((k, rename(k, renames)) for k in state)}
    with torch.no_grad():
        expected, got = official(x), timm(x)
    gap = float((expected - got).abs().max() / expected.abs().max())
    assert gap < 1e-5, f"{name}: timm's module tree gives other logits ({gap:.2e})"
    rows = [[k, back[k], list(v.shape)] for k, v in timm.state_dict().items()]
    print(f"{name:20s} {len(rows):4d} keys, timm logits = official logits within {gap:.1e}")
    return name, rows


def main(out_path):
    torch.set_num_threads(2)
    x = torch.from_numpy(tensor("input", INPUT_SHAPE) * np.float32(2.0 ** INPUT_LOG2_SCALE))
    fixture = {"generator": "tools/reference/repvgg_timm_keys.py", "timm_source": "timm/models/byobnet.py "
               "(huggingface/pytorch-image-models aa4b585)", "torch": torch.__version__, "models": {}}
    for variant in VARIANTS:
        for deploy in (False, True):
            name, rows = check(variant, deploy, x)
            fixture["models"][name] = rows
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    with gzip.GzipFile(out_path, "wb", compresslevel=9, mtime=0) as out:
        out.write((json.dumps(fixture, separators=(",", ":")) + "\n").encode())
    print(f"wrote {out_path} ({os.path.getsize(out_path):,d} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
