"""Deterministic "random" tensors that Java reproduces bit for bit (see HashedWeights.java in the zoo tests).

Every value comes from an integer hash of (tensor key, element index), turned into a double in [-1, 1) and then
into float32 with IEEE operations that Java performs identically. Parity fixtures then need only the logits:
both sides generate the same full-size weights and input themselves.
"""
import re
import zlib

import numpy as np

MASK = np.uint64(0xFFFFFFFF)
RESIDUAL_BRANCH_BN = re.compile(r"\.bn[23]\.weight$")
REPVGG_BRANCH_BN = re.compile(r"\.rbr_(dense|1x1)\.bn\.weight$|\.rbr_identity\.weight$")
XCEPTION_BRANCH_BN = re.compile(r"^block\d+\.rep\.\d+\.weight$")


def uniform(key, count):
    """Values in [-1, 1) as float64: a Weyl sequence seeded by CRC32(key), mixed by a 32-bit integer hash."""
    seed = np.uint64(zlib.crc32(key.encode("utf-8")))
    h = (np.arange(count, dtype=np.uint64) * np.uint64(2654435761) + seed) & MASK
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x45D9F3B)) & MASK
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0 * 2.0 - 1.0


def tensor(key, shape):
    """A realistic value for a state_dict entry: Kaiming-uniform weights, small biases, BN statistics near 1."""
    count = int(np.prod(shape)) if len(shape) else 1
    v = uniform(key, count)
    if key.endswith("running_var"):
        x = 1.0 + 0.5 * v
    elif key.endswith("running_mean") or key.endswith("bias"):
        x = 0.1 * v
    elif RESIDUAL_BRANCH_BN.search(key):
        x = 0.1 + 0.05 * v  # small, as in trained ResNets: keeps the residual stream from doubling every block
    elif REPVGG_BRANCH_BN.search(key):
        x = 0.4 + 0.1 * v  # RepVGG sums up to three branches: keeps each block's gain near 1
    elif XCEPTION_BRANCH_BN.search(key):
        x = 0.5 + 0.1 * v  # Xception's separable conv doubles the scale: keeps the residual stream from exploding
    elif key.endswith("weight") and len(shape) == 1:
        x = 1.0 + 0.2 * v
    elif key.endswith("weight"):
        fan_in = int(np.prod(shape[1:]))
        x = v * np.sqrt(6.0 / fan_in)
    else:
        x = v
    return x.astype(np.float32).reshape(shape)
