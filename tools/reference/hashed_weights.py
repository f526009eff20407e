"""Deterministic "random" tensors that Java reproduces bit for bit (see HashedWeights.java in the zoo tests).

Every value comes from an integer hash of (tensor key, element index), turned into a double in [-1, 1) and then
into float32 with IEEE operations that Java performs identically. Parity fixtures then need only the logits:
both sides generate the same full-size weights and input themselves. HashedWeightsTest.java checks the twin, bit for
bit, against the values this writes:

    /usr/bin/python3 tools/reference/hashed_weights.py weights/src/test/resources/parity/hashed_weights.json
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


# Keys and shapes that take every branch of tensor()'s rules, a key with non-ASCII characters, an index range past
# 2^21 and the parity fixtures' input; HashedWeightsTest.java compares Java's values with these, bit for bit.
TWIN_CASES = [
    ("conv1.weight", (64, 3, 7, 7)), ("fc.weight", (1000, 512)), ("bn1.weight", (64,)), ("fc.bias", (1000,)),
    ("bn1.running_mean", (64,)), ("bn1.running_var", (64,)), ("layer1.0.bn2.weight", (64,)),
    ("layer3.1.bn3.weight", (1024,)), ("stage1.0.rbr_dense.bn.weight", (48,)), ("stage1.1.rbr_1x1.bn.weight", (48,)),
    ("stage1.1.rbr_identity.weight", (48,)), ("block2.rep.1.weight", (128,)), ("stage0.se.down.weight", (4, 64, 1, 1)),
    ("stage4.0.rbr_dense.conv.weight", (1280, 192, 3, 3)), ("блок.weight", (3,)), ("input", (2, 3, 32, 32)),
]


def twin_fixture(path):
    """Per case: the float32 bits of the first 8 values and the SHA-256 of all values as little-endian float32."""
    import hashlib
    import json
    cases = []
    for key, shape in TWIN_CASES:
        values = tensor(key, shape).astype("<f4")
        cases.append({"key": key, "shape": list(shape), "first_bits": values.reshape(-1)[:8].view("<u4").tolist(),
                      "sha256": hashlib.sha256(values.tobytes()).hexdigest()})
    with open(path, "w") as out:
        json.dump({"generator": "tools/reference/hashed_weights.py", "cases": cases}, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    import sys
    twin_fixture(sys.argv[1])
