#!/usr/bin/python3
"""PyTorch's side of ResNeXtSpeedRounds: torchvision resnet50 and resnext50_32x4d, eval mode, no_grad, batch 16,
224x224, float32, 2 threads; the two alternate every round, medians after a warm-up.

    /usr/bin/python3 tools/bench/resnext_torch.py [rounds]
"""
import statistics
import sys
import time

import torch
from torchvision import models


def main(rounds):
    torch.set_num_threads(2)
    names = ["resnet50", "resnext50_32x4d"]
    nets = [models.get_model(n).eval() for n in names]
    x = torch.rand(16, 3, 224, 224)
    times = {n: [] for n in names}
    with torch.no_grad():
        for net in nets:
            net(x)
        for _ in range(rounds):
            for name, net in zip(names, nets):
                start = time.perf_counter()
                net(x)
                times[name].append(time.perf_counter() - start)
    rate = {n: 16 / statistics.median(t) for n, t in times.items()}
    print(f"PyTorch {torch.__version__}, batch 16, {rounds} rounds")
    for n in names:
        print(f"{n:16s} {rate[n]:6.2f} images/s")
    print(f"resnext50_32x4d / resnet50 = {rate['resnext50_32x4d'] / rate['resnet50']:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
