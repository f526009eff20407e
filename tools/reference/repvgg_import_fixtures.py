#!/usr/bin/python3
"""PyTorch logits of every registered RepVGG variant, both forms, at a small input, for the command line's
import + predict test (cli/src/test/java/org/repzoo/cli/RepVggImportParityTest.java).

Each model is the official repository's (repvgg_reference.py: module names, branch rules, groups on layers
2, 4, ..., 26, D2se's SE blocks) with the hashed weights of hashed_weights.py for every floating-point tensor of its
state_dict, in eval mode. The input is the hashed tensor "input" of shape [2, 3, 32, 32] (five stride-2 stages leave
stage 4 at 1x1 and stage 3 at 2x2, where a 3x3 kernel still uses all nine taps) times 2^64, an exact float32 product.

Why the scale: in eval mode the hashed BatchNorm statistics do not renormalise, so a train-form block passes on about
0.7 of its input's signal (0.45 with D2se's SE gate) while its biases add a constant; after 20 to 48 blocks the
logits at scale 1 no longer depend on the input or on the early layers' weights (a spatially flipped stage1.0 kernel
moves B3's logits by 1e-5 of their maximum and D2se's by 4e-7: it would pass a 1e-4 test). At 2^64 the signal dominates every layer, the two
images' logits differ by 7-81% of max |logit| and flipping that one kernel moves them by 11-99% (A0, B3
and D2se, both forms).

The test regenerates the same weights and input in Java (HashedWeights.java), writes the checkpoint itself (official
key names, .npz) and runs `repzoo import` + `repzoo predict`, so the fixture holds only the logits: one float32
[2, 1000] array per model, named as the registry names it (repvgg_a0, repvgg_a0_deploy, ...), "input_shape" and
"input_log2_scale".

    apt-get install python3-torch
    /usr/bin/python3 tools/reference/repvgg_import_fixtures.py cli/src/test/resources/parity/repvgg_logits.npz
(27 s on 2 shared cores, 2026-12-07, load average 2.3: hashing 1.6 billion weights dominates)
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import repvgg_reference  # noqa: E402
from hashed_weights import tensor  # noqa: E402

INPUT_SHAPE = (2, 3, 32, 32)
INPUT_LOG2_SCALE = 64


def logits(variant, deploy, x):
    model = repvgg_reference.build(variant, deploy=deploy).eval()
    model.load_state_dict({k: torch.from_numpy(tensor(k, tuple(v.shape))) if v.is_floating_point() else v
                           for k, v in model.state_dict().items()})
    with torch.no_grad():
        return model(x).numpy()


def main(out_path):
    torch.set_num_threads(2)
    x = torch.from_numpy(tensor("input", INPUT_SHAPE) * np.float32(2.0 ** INPUT_LOG2_SCALE))
    arrays = {"input_shape": np.array(INPUT_SHAPE, dtype=np.int64),
              "input_log2_scale": np.array(INPUT_LOG2_SCALE, dtype=np.int64)}
    for variant in repvgg_reference.VARIANTS:
        for deploy in (False, True):
            name = "repvgg_" + variant + ("_deploy" if deploy else "")
            y = logits(variant, deploy, x)
            arrays[name] = y.astype(np.float32)
            top = np.sort(y, axis=1)
            scale = np.abs(y).max()
            print(f"{name:20s} max|logit| {scale:8.3g}  top1 {y.argmax(1).tolist()}  "
                  f"top1-top2 gap / max {((top[:, -1] - top[:, -2]) / scale).min():.2g}  "
                  f"images differ by {np.abs(y[0] - y[1]).max() / scale:.2f} of max", flush=True)
    np.savez_compressed(out_path, **arrays)
    print(f"wrote {len(arrays) - 2} models to {out_path} ({os.path.getsize(out_path):,d} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
