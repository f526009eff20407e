#!/usr/bin/python3
"""PyTorch's grouped convolution (torch.nn.functional.conv2d with groups) on a few small cases, for
GroupedConvolutionTest.

Inputs, weights and biases are stored as 4-decimal numbers; both sides read them as a double rounded to float32. The
outputs are computed in float64 from exactly those float32 values, so the Java side (float32) must agree within float
rounding.

    apt-get install python3-torch
    /usr/bin/python3 tools/reference/grouped_conv_fixtures.py zoo/src/test/resources/grouped/conv2d.json
"""
import json
import sys

import torch
import torch.nn.functional as F

# name, batch, in, out, height, width, kernel (h, w), stride, padding (h, w), groups, bias
CASES = [
    ("g2_k3_s2_p1_bias", 2, 4, 6, 7, 7, (3, 3), 2, (1, 1), 2, True),
    ("g4_k3_s1_p1", 2, 8, 8, 6, 5, (3, 3), 1, (1, 1), 4, False),
    ("g8_k1_bias", 1, 16, 16, 4, 4, (1, 1), 1, (0, 0), 8, True),
    ("depthwise_g6_x2_k3_p1_bias", 2, 6, 12, 5, 5, (3, 3), 1, (1, 1), 6, True),
    ("g2_k1x3_p0x1_s2", 1, 4, 4, 5, 6, (1, 3), 2, (0, 1), 2, True),
    # one channel per group: Xception's depthwise convolution, run as one libnd4j depthwise_conv2d call
    ("depthwise_g8_k3_s2_p1", 2, 8, 8, 7, 6, (3, 3), 2, (1, 1), 8, False),
    ("depthwise_g5_k3_p1_bias", 1, 5, 5, 5, 5, (3, 3), 1, (1, 1), 5, True),
]


def rounded(generator, *shape, scale=1.0):
    values = (torch.rand(*shape, generator=generator, dtype=torch.float64) * 2 - 1) * scale
    return torch.round(values * 1e4) / 1e4


def main(path):
    generator = torch.Generator().manual_seed(20240601)
    cases = []
    for name, batch, cin, cout, height, width, kernel, stride, padding, groups, bias in CASES:
        x = rounded(generator, batch, cin, height, width)
        w = rounded(generator, cout, cin // groups, *kernel, scale=0.5)
        b = rounded(generator, cout, scale=0.2) if bias else None
        # the float32 values the Java side reads (double -> float, as torch's .float())
        y = F.conv2d(x.float().double(), w.float().double(), None if b is None else b.float().double(), stride=stride,
                     padding=padding, groups=groups)
        cases.append({
            "name": name, "in_channels": cin, "out_channels": cout, "kernel": list(kernel), "stride": stride,
            "padding": list(padding), "groups": groups,
            "input_shape": list(x.shape), "input": x.flatten().tolist(),
            "weight_shape": list(w.shape), "weight": w.flatten().tolist(),
            "bias": None if b is None else b.tolist(),
            "output_shape": list(y.shape), "output": [round(v, 7) for v in y.flatten().tolist()],
        })
    with open(path, "w") as f:
        json.dump({"made_by": "tools/reference/grouped_conv_fixtures.py", "torch": torch.__version__, "cases": cases}, f,
                  separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1])
