#!/usr/bin/python3
"""Where PyTorch's training step goes, by op kind, to set beside DL4J's JFR split (tools/bench/jfr_layers.py): the same
step as train_step_torch.py (forward, cross-entropy, backward, SGD momentum 0.9 + weight decay 1e-4, batch 16,
224x224, 2 threads), profiled with torch.profiler over a few steps after a warm-up; self CPU time summed by op kind.

    /usr/bin/python3 tools/bench/train_step_profile_torch.py [resnet50|repvgg_a0] [steps]
"""
import collections
import sys
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile
from torchvision import models

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
import repvgg_reference  # noqa: E402

# First match wins; in-place add_/mul_ are mostly the optimizer's (and gradient accumulation), so the split is rough.
KINDS = (("batch norm", ("batch_norm",)), ("convolution", ("convolution", "conv2d", "mkldnn_conv")),
         ("relu", ("relu", "threshold")), ("optimizer", ("sgd", "_foreach", "aten::mul_", "aten::add_")),
         ("add", ("aten::add",)), ("pooling", ("pool",)),
         ("linear / loss", ("addmm", "aten::mm", "linear", "cross_entropy", "nll_loss", "log_softmax")))


def kind(name):
    for label, keys in KINDS:
        if any(key in name for key in keys):
            return label
    return "other"


def main(model, steps):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    net = models.resnet50() if model == "resnet50" else repvgg_reference.build("a0")
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(16, 3, 224, 224)
    y = torch.randint(0, 1000, (16,))

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()

    for _ in range(2):
        step()
    start = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    seconds = (time.perf_counter() - start) / steps
    totals = collections.Counter()
    for event in prof.key_averages():
        totals[kind(event.key)] += event.self_cpu_time_total
    whole = sum(totals.values())
    print(f"{model}: {seconds:.2f} s per step under the profiler ({16 / seconds:.2f} img/s), self CPU time by kind:")
    for label, micros in totals.most_common():
        print(f"{100 * micros / whole:5.1f}%  {label}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resnet50", int(sys.argv[2]) if len(sys.argv) > 2 else 3)
