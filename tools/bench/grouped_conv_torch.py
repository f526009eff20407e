#!/usr/bin/python3
"""PyTorch's speed on the shapes of GroupedConvolutionRounds, for comparison: nn.Conv2d(c, c, 3, padding=1,
groups=g, bias=False), batch 16, float32, 2 threads. Forward under no_grad; a train step is forward, MSE loss,
backward (input gradient included, as DL4J always computes it) and an SGD step. Median of 9 interleaved rounds after 2 warm-up rounds.

    /usr/bin/python3 tools/bench/grouped_conv_torch.py
"""
import statistics
import time

import torch
from torch import nn

SHAPES = [(64, 56, 2), (64, 56, 4), (64, 56, 32), (128, 28, 2), (128, 28, 4), (128, 28, 32),
          (128, 56, 32), (256, 28, 32), (512, 14, 32), (1024, 7, 32)]
BATCH, WARMUP, ROUNDS = 16, 2, 9


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    for channels, size, groups in SHAPES:
        x = torch.rand(BATCH, channels, size, size) - 0.5
        y = torch.rand(BATCH, channels, size, size)
        times = {}
        for name, g in (("grouped", groups), ("dense", 1)):
            conv = nn.Conv2d(channels, channels, 3, padding=1, groups=g, bias=False)
            optimizer = torch.optim.SGD(conv.parameters(), lr=1e-4)
            forward, train = [], []
            for round_ in range(WARMUP + ROUNDS):
                t0 = time.perf_counter()
                with torch.no_grad():
                    conv(x)
                t1 = time.perf_counter()
                optimizer.zero_grad()
                x.requires_grad_(True)  # DL4J computes the input gradient too (for the layer below)
                nn.functional.mse_loss(conv(x), y).backward()
                x.requires_grad_(False)
                x.grad = None
                optimizer.step()
                t2 = time.perf_counter()
                if round_ >= WARMUP:
                    forward.append(t1 - t0)
                    train.append(t2 - t1)
            times[name] = (statistics.median(forward), statistics.median(train))
        print(f"{channels}->{channels} 3x3, input {BATCH}x{channels}x{size}x{size}, groups {groups}: "
              + ", ".join(f"{name} forward {f:.4f} s train step {t:.4f} s" for name, (f, t) in times.items()))


if __name__ == "__main__":
    main()
