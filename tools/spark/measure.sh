#!/usr/bin/env bash
# What by-reference training costs the driver as the data grows: the same train run (parameter averaging, 1 epoch) on
# the standalone cluster of cluster_lib.sh for synthetic class-folder trees of each size in SIZES, recording the
# driver JVM's heap (from its GC log: the most used before a collection, the most live after one) and resident peak
# (/usr/bin/time), and the run's own per-epoch line: images/s per executor task slot, the driver's time after training,
# the bytes shipped (sample lists, model broadcasts, results sent back). docs/DISTRIBUTED.md has the figures.
#
#   tools/spark/measure.sh [WORK_DIR]      (default /tmp/repzoo-spark-measure)
#
# Environment: SIZES (default "6000 60000 600000"), BATCH (64), AVERAGING (averaging frequency, 50),
# DISTINCT (distinct images per class behind the hard links, 100), BOUND_SECONDS (default 300): a run on more than
# 100,000 images is stopped after this long (SIGTERM; its row then counts the averaging periods done instead of the
# epoch's line), plus cluster_lib.sh's. Writes
# WORK_DIR/measurements.tsv (one row per size) and prints it. Heavy: run it under flock where builds share the machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-/tmp/repzoo-spark-measure}"
SIZES="${SIZES:-6000 60000 600000}"
BATCH="${BATCH:-64}"
AVERAGING="${AVERAGING:-50}"
DISTINCT="${DISTINCT:-100}"
BOUND_SECONDS="${BOUND_SECONDS:-300}"
source "$ROOT/tools/spark/cluster_lib.sh"
trap stop_cluster EXIT

prepare_spark
start_cluster

TABLE="$WORK/measurements.tsv"
printf 'images\twall_s\tdriver_rss_peak_MB\theap_used_peak_MB\theap_live_peak_MB\tepoch_line\n' > "$TABLE.tmp"
for size in $SIZES; do
  data="$WORK/data-$size"
  if [[ ! -d "$data/train" ]]; then
    say "writing $size training images (hard links to $DISTINCT distinct images per class) under $data"
    python3 "$ROOT/tools/spark/synthetic_data.py" folders "$data.tmp" "$size" --val 200 --distinct "$DISTINCT"
    mv "$data.tmp" "$data"
  fi
  rm -rf "$WORK/runs/$size"
  say "train on $size images"
  bound=""
  (( size > 100000 )) && bound="$BOUND_SECONDS"
  set +e
  SUBMIT_TIMEOUT="$bound" submit "train-$size" train repvgg_a0 --data "$data" --input 3x16x16 --width 0.1 \
    --depths 1,1,1,1 --epochs 1 --batch "$BATCH" --seed 7 --partitions 2 --workers 1 --averaging-frequency "$AVERAGING" \
    --spark "$MASTER" --checkpoint-dir "$WORK/runs/$size"
  code=$?
  set -e
  [[ "$code" == 0 || ( "$code" == 124 && -n "$bound" ) ]] || fail "the run on $size images failed ($WORK/logs/train-$size.log)"
  python3 - "$size" "$WORK/logs/train-$size.log" "$WORK/logs/train-$size.gc.log" >> "$TABLE.tmp" <<'EOF'
import re, sys
size, log, gc = sys.argv[1:]
text = open(log).read()
rss, wall = re.search(r"driver peak RSS (\d+) kB, ([\d.]+) s", text).groups()
# -Xlog:gc lines: "... Pause Young (Normal) (G1 Evacuation Pause) 24M->6M(64M) 3.1ms"
pairs = [(int(a), int(b)) for a, b in re.findall(r"(\d+)M->(\d+)M\(\d+M\)", open(gc).read())]
used = max((a for a, _ in pairs), default=0)
live = max((b for _, b in pairs), default=0)
epoch = re.search(r"epoch 1 on Spark: (.*)", text)
periods = len(re.findall(r"Job \d+ finished", text))
line = epoch.group(1) if epoch else "stopped after %s s: %d Spark jobs (averaging periods) finished" % (wall, periods)
print("\t".join([size, wall, "%.0f" % (int(rss) / 1024), str(used), str(live), line]))
EOF
  tail -1 "$TABLE.tmp" | cut -c1-400
done
mv "$TABLE.tmp" "$TABLE"
say "done: $TABLE"
cat "$TABLE"
