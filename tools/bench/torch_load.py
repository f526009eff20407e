#!/usr/bin/python3
"""How long PyTorch takes to load a checkpoint into a model, for comparison with `repzoo import`.

Prints JSON: medians over --repeat runs of torch.load alone and of build-model + torch.load + load_state_dict
(what "loading a checkpoint in PyTorch" means to a user), and the process's peak resident memory.

    /usr/bin/python3 tools/bench/torch_load.py resnet50 weights.pth [--repeat 5] [--threads 2]
"""
import argparse
import json
import resource
import statistics
import time

import torch
from torchvision import models


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("weights")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load_only, full = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        state = torch.load(args.weights, map_location="cpu")
        load_only.append(time.perf_counter() - start)
        del state
        start = time.perf_counter()
        model = models.get_model(args.model)
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
        full.append(time.perf_counter() - start)
        del model
    print(json.dumps({"model": args.model, "torch_load_s": round(statistics.median(load_only), 3),
                      "build_and_load_s": round(statistics.median(full), 3),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
