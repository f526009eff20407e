#!/usr/bin/python3
"""The demo's net trained by RepZoo and by PyTorch 1.13, epoch by epoch, side by side: the table of PERFORMANCE.md's
training section. Each round runs `./repzoo train` (the demo's net and recipe, --epochs E) and then
tools/experiments/fashion_mnist_torch.py (the same net and recipe, --epochs E), each in its own process; it prints
every epoch's images/s and the ratio of the medians over the epochs after the first (a first epoch of RepZoo's
carries the JVM's warm-up). Waits for the load average to fall below 0.5 before it starts, and prints the load.

    /usr/bin/python3 tools/bench/train_epochs.py [--rounds 2] [--epochs 3] [--limit 60000] [--json OUT.json]

RepZoo's images/s leave out its validation pass and include its input pipeline; PyTorch's include its test pass after
each epoch (the script resizes the whole set once before training). --limit trains on the first N images (a quick
check of the script, not a figure). Needs Debian's python3-torch and the dataset-fashion-mnist package.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECIPE = ('{"batchSize":128,"learningRate":0.2,"weightDecay":1e-4,"labelSmoothing":0.1,"augmentation":'
          '{"crop":"PAD_CROP","cropSize":32,"padding":0,"flip":"HORIZONTAL","colour":"NONE"}}')
NET = ["--width", "0.25", "--depths", "1,2,2,1"]


def repzoo(epochs, limit, run_dir):
    command = [os.path.join(ROOT, "repzoo"), "train", "repvgg_a0", "--data", "fashion-mnist", "--input", "1x32x32",
               *NET, "--strides", "2,1,2,2,2", "--epochs", str(epochs), "--limit", str(limit), "--set", RECIPE,
               "--checkpoint-dir", run_dir]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(run_dir, "training-log.json")) as log:
        return [epoch["imagesPerSecond"] for epoch in json.load(log)["epochs"]]


def torch(epochs, limit):
    # the script does not scale the learning rate with the batch: 0.1 at batch 128 is RepZoo's 0.2 per 256
    command = ["/usr/bin/python3", os.path.join(ROOT, "tools", "experiments", "fashion_mnist_torch.py"),
               "--epochs", str(epochs), "--batch", "128", "--lr", "0.1", *NET, "--stem", "2", "--s1", "1",
               "--ls", "0.1", "--pad", "0", "--limit", str(limit)]
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [float(m.group(1)) for m in re.finditer(r"^epoch \d+ .* (\d+) img/s$", out, re.MULTILINE)]


def load():
    return os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=60000)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    if args.epochs < 2 or args.rounds < 1:
        parser.error("--epochs must be at least 2 (the first is the warm-up) and --rounds at least 1")
    while load() >= 0.5:
        time.sleep(10)
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    start_load = load()
    print(f"start {started}, load {start_load:.2f}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="repzoo-train-epochs-") as scratch:
        for round_ in range(1, args.rounds + 1):
            ours = repzoo(args.epochs, args.limit, os.path.join(scratch, f"round{round_}"))
            theirs = torch(args.epochs, args.limit)
            if len(ours) != args.epochs or len(theirs) != args.epochs:
                sys.exit(f"train_epochs.py: round {round_}: expected {args.epochs} epochs, got RepZoo's {ours} "
                         f"and PyTorch's {theirs}")
            rows.append({"round": round_, "repzoo": ours, "torch": theirs})
            print(f"round {round_}: RepZoo {', '.join(f'{v:,.0f}' for v in ours)}; "
                  f"PyTorch {', '.join(f'{v:,.0f}' for v in theirs)} images/s by epoch", flush=True)
    later_ours = [v for row in rows for v in row["repzoo"][1:]]
    later_theirs = [v for row in rows for v in row["torch"][1:]]
    first = [row["repzoo"][0] / row["torch"][0] for row in rows]
    summary = {"started": started, "load_at_start_and_end": [round(start_load, 2), round(load(), 2)], "rounds": rows,
               "median_after_first_epoch": {"repzoo": statistics.median(later_ours),
                                            "torch": statistics.median(later_theirs)},
               "ratio_after_first_epoch": statistics.median(later_ours) / statistics.median(later_theirs),
               "ratio_first_epochs": first}
    later = "epoch 2" if args.epochs == 2 else f"epochs 2-{args.epochs}"
    print(f"{later}: RepZoo {statistics.median(later_ours):,.0f}, PyTorch "
          f"{statistics.median(later_theirs):,.0f} images/s (medians): {summary['ratio_after_first_epoch']:.2f}x; "
          f"first epochs {', '.join(f'{r:.2f}x' for r in first)}; load {load():.2f} at the end")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(summary, out, indent=2)


if __name__ == "__main__":
    main()
