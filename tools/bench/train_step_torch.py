#!/usr/bin/python3
"""PyTorch's side of TrainingStepRounds: one training step (forward, cross-entropy, backward, SGD momentum 0.9 with
weight decay 1e-4) of torchvision's resnet50 and the official RepVGG-A0 (train form, tools/reference), batch 16,
224x224, float32, train mode, 2 threads; the models alternate every round, medians after two warm-up steps.

    /usr/bin/python3 tools/bench/train_step_torch.py [rounds]
"""
import statistics
import sys
import time
from pathlib import Path

import torch
from torchvision import models

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
import repvgg_reference  # noqa: E402


def main(rounds):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    nets = {"resnet50": models.resnet50(), "repvgg_a0": repvgg_reference.build("a0")}
    x = torch.rand(16, 3, 224, 224)
    y = torch.randint(0, 1000, (16,))
    loss = torch.nn.CrossEntropyLoss()
    optimizers = {n: torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
                  for n, net in nets.items()}
    times = {n: [] for n in nets}

    def step(name):
        net, optimizer = nets[name], optimizers[name]
        optimizer.zero_grad(set_to_none=True)
        loss(net(x), y).backward()
        optimizer.step()

    for name, net in nets.items():
        net.train()
        step(name)
        step(name)
    for _ in range(rounds):
        for name in nets:
            start = time.perf_counter()
            step(name)
            times[name].append(time.perf_counter() - start)
    print(f"PyTorch {torch.__version__}, training step, batch 16, 224x224, 2 threads, {rounds} rounds")
    for name, t in times.items():
        print(f"{name:10s} {16 / statistics.median(t):6.2f} images/s (median step {statistics.median(t):.3f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
