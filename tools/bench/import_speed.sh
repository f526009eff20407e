#!/usr/bin/env bash
# `repzoo import` against PyTorch's own loading, side by side, for resnet50 and vgg16 (or the models given).
# Both sides read the same torch.save file (random torchvision weights; the values do not matter to the speed).
# Reports medians of 5 runs: the import's in-process time to read the checkpoint into the graph, the whole
# command's wall time and peak RSS (GNU time); PyTorch's build + torch.load + load_state_dict in process, and a
# whole python process doing the same (import torch included), with its peak RSS; then whether the targets held
# (the whole import within 2x the whole python process, peak RSS within 3x the checkpoint).
#   apt-get install python3-torch python3-torchvision time
#   tools/bench/import_speed.sh [resnet50 vgg16]
set -euo pipefail
cd "$(dirname "$0")/../.."
models=("${@:-resnet50}")
[ $# -eq 0 ] && models=(resnet50 vgg16)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./repzoo list >/dev/null   # build once, outside the timings
for model in "${models[@]}"; do
  /usr/bin/python3 -c "import torch, torchvision; torch.save(torchvision.models.get_model('$model').state_dict(), '$work/$model.pth')"
  size_mb=$(( $(stat -c %s "$work/$model.pth") / 1048576 ))
  torch_json=$(/usr/bin/python3 tools/bench/torch_load.py "$model" "$work/$model.pth")
  py_walls=(); py_rss=()
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" /usr/bin/python3 -c "import torch, torchvision; torch.set_num_threads(2); \
m = torchvision.models.get_model('$model'); m.load_state_dict(torch.load('$work/$model.pth'))"
    py_walls+=("$(cut -d' ' -f1 "$work/time.txt")")
    py_rss+=("$(( $(cut -d' ' -f2 "$work/time.txt") / 1024 ))")
  done
  reads=(); walls=(); rss=()
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" ./repzoo import "$model" --weights "$work/$model.pth" --out "$work/$model.zip" \
      2>/dev/null >"$work/out.txt"
    reads+=("$(sed -n 's/.*read into the graph in \([0-9.]*\) s.*/\1/p' "$work/out.txt")")
    walls+=("$(cut -d' ' -f1 "$work/time.txt")")
    rss+=("$(( $(cut -d' ' -f2 "$work/time.txt") / 1024 ))")
  done
  median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
  echo "$model: checkpoint ${size_mb} MB"
  echo "  repzoo import: read into the graph $(median "${reads[@]}") s; whole command $(median "${walls[@]}") s," \
       "peak RSS $(median "${rss[@]}") MB"
  echo "  PyTorch: in-process $torch_json; whole process (import torch, build, load) $(median "${py_walls[@]}") s," \
       "peak RSS $(median "${py_rss[@]}") MB"
  # The import issue's targets: at most 2x PyTorch's time (whole process against whole process), at most ~3x the
  # checkpoint's size in memory.
  awk -v ours="$(median "${walls[@]}")" -v theirs="$(median "${py_walls[@]}")" -v rss="$(median "${rss[@]}")" \
      -v size="$size_mb" 'BEGIN {
    printf "  target: import within 2x PyTorch'"'"'s time: %s (%.2fx)\n", ours <= 2 * theirs ? "held" : "missed", ours / theirs
    printf "  target: peak RSS within 3x the checkpoint: %s (%.2fx)\n", rss <= 3 * size ? "held" : "missed", rss / size }'
done
