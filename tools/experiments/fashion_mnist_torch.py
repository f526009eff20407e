#!/usr/bin/python3
"""The demo's CPU-sized RepVGG (train form: 3x3+BN, 1x1+BN, identity BN; RepVGG-A0 widths x --width, --depths) on
Fashion-MNIST in PyTorch 1.13 with the demo's recipe (SGD momentum 0.9, cosine per iteration, weight decay on kernels
only), to choose recipe options quickly: PyTorch trains this net ~3x faster than DL4J on 2 cores. Prints the test
top-1 after each epoch, alone and averaged with the mirrored image's (soft-max mean). --lr is used as given (the demo's
recipe scales its rate linearly with the batch). Not used by tests; run with Debian's python3-torch:

    /usr/bin/python3 tools/experiments/fashion_mnist_torch.py [--epochs 6] [--batch 256] [--lr 0.1] [--wd 1e-4]
        [--width 0.25] [--depths 1,2,4,1] [--stem 2] [--s1 2] [--size 32] [--pad 2] [--flip 1] [--ls 0.0]
        [--limit 60000] [--threads 2]

--stem/--s1: first-block strides of stages 0 and 1 (`train --strides S0,S1,2,2,2`); --pad: pad-and-crop padding
(0: none); --ls: label smoothing. The learning rate is not scaled with the batch here.
"""
import argparse
import gzip
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist/"


def idx(name):
    raw = gzip.open(DATA + name).read()
    return np.frombuffer(raw, np.uint8, offset=16 if "images" in name else 8)


def split(prefix, limit, size):
    images = torch.tensor(idx(prefix + "-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28)[:limit],
                          dtype=torch.float32) / 255
    labels = torch.tensor(idx(prefix + "-labels-idx1-ubyte.gz")[:limit].astype(np.int64))
    if size != 28:
        images = F.interpolate(images, size=size, mode="bilinear", align_corners=False)
    return images, labels


class Block(nn.Module):
    """The official train-form block: 3x3 conv + BN, 1x1 conv + BN, an identity BN where the shape is kept, ReLU."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.dense = nn.Sequential(nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs))
        self.pointwise = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, 0, bias=False), nn.BatchNorm2d(outputs))
        self.identity = nn.BatchNorm2d(inputs) if inputs == outputs and stride == 1 else None

    def forward(self, x):
        y = self.dense(x) + self.pointwise(x)
        if self.identity is not None:
            y = y + self.identity(x)
        return F.relu(y)


def network(width, depths, strides):
    multipliers = [0.75 * width] * 3 + [2.5 * width]
    channels = max(1, min(64, int(64 * multipliers[0])))
    layers = [Block(1, channels, strides[0])]
    for stage in range(1, 5):
        outputs = int((32 << stage) * multipliers[stage - 1])
        for b in range(depths[stage - 1]):
            layers.append(Block(channels, outputs, strides[stage] if b == 0 else 1))
            channels = outputs
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))


def augment(x, pad, flip, fill):
    if pad:
        padded = F.pad(x, [pad] * 4, value=fill)
        size = x.shape[-1]
        dx = np.random.randint(0, 2 * pad + 1, len(x))
        dy = np.random.randint(0, 2 * pad + 1, len(x))
        x = torch.stack([padded[i, :, dy[i]:dy[i] + size, dx[i]:dx[i] + size] for i in range(len(x))])
    if flip:
        flipped = torch.rand(len(x)) < 0.5
        x = x.clone()
        x[flipped] = x[flipped].flip(-1)
    return x


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--wd", type=float, default=1e-4)
    parser.add_argument("--width", type=float, default=0.25)
    parser.add_argument("--depths", default="1,2,4,1")
    parser.add_argument("--stem", type=int, default=2)
    parser.add_argument("--s1", type=int, default=2)
    parser.add_argument("--strides", default=None, help="first-block strides of stages 0-4, e.g. 2,2,1,2,2 "
                        "(overrides --stem and --s1)")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--pad", type=int, default=2)
    parser.add_argument("--flip", type=int, default=1)
    parser.add_argument("--ls", type=float, default=0.0)
    parser.add_argument("--limit", type=int, default=60000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="torch and numpy seed (weights, order, augmentation)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    train_x, train_y = split("train", args.limit, args.size)
    test_x, test_y = split("t10k", None, args.size)
    mean, std = train_x.mean(), train_x.std()
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    strides = [int(s) for s in args.strides.split(",")] if args.strides else [args.stem, args.s1, 2, 2, 2]
    net = network(args.width, [int(d) for d in args.depths.split(",")], strides)
    print("params", sum(p.numel() for p in net.parameters()))

    kernels = [p for p in net.parameters() if p.ndim > 1]
    others = [p for p in net.parameters() if p.ndim <= 1]
    optimizer = torch.optim.SGD([{"params": kernels, "weight_decay": args.wd}, {"params": others, "weight_decay": 0}],
                                lr=args.lr, momentum=0.9)
    n = len(train_x)
    steps = args.epochs * math.ceil(n / args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 0.5 * (1 + math.cos(math.pi * i / steps)))
    fill = float(-mean / std)  # black, normalised
    start = time.time()
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(n)
        epoch_start = time.time()
        for i in range(0, n, args.batch):
            chosen = order[i:i + args.batch]
            loss = F.cross_entropy(net(augment(train_x[chosen], args.pad, args.flip, fill)), train_y[chosen],
                                   label_smoothing=args.ls)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        net.eval()
        correct = flipped = 0
        with torch.no_grad():
            for i in range(0, len(test_x), 1000):
                logits = net(test_x[i:i + 1000])
                both = F.softmax(logits, 1) + F.softmax(net(test_x[i:i + 1000].flip(-1)), 1)
                correct += (logits.argmax(1) == test_y[i:i + 1000]).sum().item()
                flipped += (both.argmax(1) == test_y[i:i + 1000]).sum().item()
        print(f"epoch {epoch + 1} loss {loss.item():.3f} test {100 * correct / len(test_x):.2f} "
              f"(with flips {100 * flipped / len(test_x):.2f}) "
              f"{n / (time.time() - epoch_start):.0f} img/s", flush=True)
    print("total", round(time.time() - start), "s")


if __name__ == "__main__":
    main()
