#!/usr/bin/env bash
# The RepVGG paper's central claim at small scale (Ding et al. 2021, Table 6): the same deploy architecture trained
# with the multi-branch blocks beats it trained as a plain 3x3 stack, and with only the identity or only the 1x1
# branch. Trains each variant with 3 seeds on Fashion-MNIST and prints mean +- std of the final test top-1.
#   tools/experiments/ablation.sh [EPOCHS] [LIMIT] [DEPTHS]
# Defaults: 3 epochs on the first 10000 training images, RepVGG-A0's depths 2,4,14,1 (22 layers: the claim is about
# deep plain stacks) at a quarter of its widths, 1x32x32, the demo's recipe at batch 128; logs under runs/ablation/.
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS="${1:-3}"
LIMIT="${2:-10000}"
DEPTHS="${3:-2,4,14,1}"
OUT=runs/ablation
RECIPE='{"batchSize": 128, "weightDecay": 1e-4, "labelSmoothing": 0.1, "augmentation": {"crop": "PAD_CROP", "padding": 0}}'
for seed in 1 2 3; do
  for branches in ALL DENSE_AND_1X1 DENSE_AND_IDENTITY DENSE; do
    dir="$OUT/$branches-seed$seed"
    if [[ -f "$dir/model.zip" ]]; then continue; fi
    rm -rf "$dir"
    ./repzoo train repvgg_a0 --data fashion-mnist --input 1x32x32 --width 0.25 --depths "$DEPTHS" \
      --epochs "$EPOCHS" --limit "$LIMIT" --branches "$branches" --seed "$seed" --set "$RECIPE" \
      --checkpoint-dir "$dir" 2>/dev/null | grep -E '^(epoch [0-9]+/[0-9]+:|final)' | sed "s|^|$branches seed $seed: |"
  done
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
from pathlib import Path
rows = {}
for log in sorted(Path(sys.argv[1]).glob("*/training-log.json")):
    branches = log.parent.name.rsplit("-seed", 1)[0]
    rows.setdefault(branches, []).append(100 * json.loads(log.read_text())["epochs"][-1]["top1"])
print(f"{'train-form branches':22s} {'seeds':>5s} {'top-1 % mean':>12s} {'std':>6s}  runs")
for branches in ["ALL", "DENSE_AND_1X1", "DENSE_AND_IDENTITY", "DENSE"]:
    v = rows.get(branches, [])
    if v:
        std = statistics.stdev(v) if len(v) > 1 else 0.0
        print(f"{branches:22s} {len(v):5d} {statistics.mean(v):12.2f} {std:6.2f}  {', '.join(f'{x:.2f}' for x in v)}")
PY
