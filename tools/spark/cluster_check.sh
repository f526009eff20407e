#!/usr/bin/env bash
# A real Spark standalone cluster on this machine: a master and two workers as separate JVMs (Spark 3.1.2 from the
# build's own Maven repository, everything on 127.0.0.1), RepZoo's fat jar submitted through SparkSubmit as
# spark-submit does. It checks that
#   1. eval on the cluster writes the single-JVM report (IDX file, class folders, ILSVRC-2012 validation layout),
#   2. train (parameter averaging) on the cluster ends with the weights of a local[2] run with the same seed, bit for
#      bit,
#   3. a cluster run in which one executor is killed in the middle of an epoch (Spark re-runs its tasks elsewhere)
#      ends with the first cluster run's weights, bit for bit,
#   4. a master that cannot be reached is one line and exit code 2, with no checkpoint,
# then stops the cluster. docs/DISTRIBUTED.md describes it.
#
#   tools/spark/cluster_check.sh [WORK_DIR]      (default /tmp/repzoo-cluster-check; about 3 minutes on 2 cores)
#
# Environment: SPARK_PORT (master port, default 17077; the web UIs use 18080-18082 and the driver's 14040),
# KEEP_CLUSTER=1 leaves the cluster running at the end, EPOCHS (default 2), IMAGES (training images, default 6000),
# AVERAGING (averaging frequency, default 10: 9 averaging periods an epoch).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-/tmp/repzoo-cluster-check}"
EPOCHS="${EPOCHS:-2}"
AVERAGING="${AVERAGING:-10}"
IMAGES="${IMAGES:-6000}"
source "$ROOT/tools/spark/cluster_lib.sh"

trap stop_cluster EXIT

prepare_spark
start_cluster

# --- data -----------------------------------------------------------------------------------------------------------
DATA="$WORK/data"
if [[ ! -d "$DATA/idx" ]]; then
  say "writing synthetic data: $IMAGES IDX training images, a class-folder tree, the ILSVRC validation layout"
  python3 "$ROOT/tools/spark/synthetic_data.py" idx "$DATA/idx" "$IMAGES" --test 1000
  python3 "$ROOT/tools/spark/synthetic_data.py" folders "$DATA/folders" 600 --val 200
  mkdir -p "$DATA/ilsvrc/val"
  n=0
  for file in $(cd "$DATA/folders/val" && find . -name '*.png' | sort); do
    n=$((n + 1))
    cp "$DATA/folders/val/$file" "$(printf '%s/ilsvrc/val/ILSVRC2012_val_%08d.png' "$DATA" "$n")"
    printf 'n%08d\n' "$((10#${file:7:2} + 1))" >> "$DATA/ilsvrc/labels.txt"
  done
fi
TRAIN=(train repvgg_a0 --data "$DATA/idx" --input 1x16x16 --width 0.1 --depths 1,1,1,1 --epochs "$EPOCHS"
  --batch 32 --seed 7 --partitions 2 --workers 1 --averaging-frequency "$AVERAGING")

compare_models() { # run dir A, run dir B, label, "exact" (weights must be equal bit for bit) or "close"
  python3 - "$1" "$2" "$3" "$4" <<'EOF'
import json, math, struct, sys, zipfile
a, b, label, mode = sys.argv[1:]
wa = zipfile.ZipFile(a + "/model.zip").read("coefficients.bin")
wb = zipfile.ZipFile(b + "/model.zip").read("coefficients.bin")
# ND4J's binary array ends with the float32 values (big-endian); equal header bytes compare as equal
count = (min(len(wa), len(wb)) - 128) // 4
fa = struct.unpack(">%df" % count, wa[len(wa) - 4 * count:])
fb = struct.unpack(">%df" % count, wb[len(wb) - 4 * count:])
largest = max((abs(x - y) for x, y in zip(fa, fb) if not (math.isnan(x) or math.isnan(y))), default=0.0)
la, lb = json.load(open(a + "/training-log.json"))["epochs"], json.load(open(b + "/training-log.json"))["epochs"]
keys = ["trainLoss", "validationLoss", "top1", "top5"]
same = wa == wb
print("%s: weights %s" % (label, "identical (bit for bit)" if same else "differ, largest |difference| %.3g" % largest))
close = len(la) == len(lb)
for e, f in zip(la, lb):
    x, y = [e[k] for k in keys], [f[k] for k in keys]
    close = close and all(abs(p - q) <= 1e-5 for p, q in zip(x, y))
    print("  epoch %d: train loss %.6f / %.6f, val loss %.6f / %.6f, top-1 %.4f / %.4f"
          % (e["epoch"], x[0], y[0], x[1], y[1], x[2], y[2]))
sys.exit(0 if same or (mode == "close" and close and largest < 1e-4) else 1)
EOF
}

# --- 2. training: local[2] against the cluster ----------------------------------------------------------------------
say "train on local[2] (reference)"
rm -rf "$WORK/runs"
local_run train-local "${TRAIN[@]}" --spark 'local[2]' --checkpoint-dir "$WORK/runs/local" || fail "local run ($WORK/logs/train-local.log)"
say "train on the cluster"
submit train-cluster "${TRAIN[@]}" --spark "$MASTER" --checkpoint-dir "$WORK/runs/cluster" || fail "cluster run ($WORK/logs/train-cluster.log)"
grep "on Spark:" "$WORK/logs/train-cluster.log" | sed 's/^/  /' | cut -c1-240
# The cluster's executors and local[2] run the same oneDNN build (docs/DISTRIBUTED.md), so the weights agree bit for bit.
compare_models "$WORK/runs/local" "$WORK/runs/cluster" "cluster vs local[2]" exact || fail "the cluster's run differs"

# --- 3. the same with an executor killed in the middle of epoch 2 --------------------------------------------------
say "train on the cluster, killing worker 1's executor in the middle of epoch 2"
( submit train-killed "${TRAIN[@]}" --spark "$MASTER" --checkpoint-dir "$WORK/runs/killed" ) &
RUN=$!
for _ in $(seq 600); do
  grep -q "^epoch 1/" "$WORK/logs/train-killed.log" 2>/dev/null && break
  sleep 0.5
done
sleep "${KILL_AFTER:-4}"
EXECUTOR="$(ps -o pid= --ppid "${PIDS[1]}" | head -1 | tr -d ' ')"
[[ -n "$EXECUTOR" ]] || fail "worker 1 runs no executor to kill"
say "kill -9 $EXECUTOR (worker 1's executor JVM)"
kill -9 "$EXECUTOR"
wait "$RUN" || fail "the run with a killed executor failed ($WORK/logs/train-killed.log)"
grep -h "lost\|Lost executor\|Removing executor\|Launching executor" "$WORK/logs/master.log" | tail -3 | sed 's/^/  master: /' | cut -c1-200
compare_models "$WORK/runs/cluster" "$WORK/runs/killed" "killed executor vs the first cluster run" exact \
  || fail "the weights differ after the kill"

# --- 1. evaluation: one JVM against the cluster -----------------------------------------------------------------------
MODEL="$WORK/runs/local/model.zip"
compare_reports() { # a, b, label
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
a, b, label = sys.argv[1:]
ra, rb = json.load(open(a)), json.load(open(b))
for r in (ra, rb):
    r.pop("created", None); r.pop("timings", None)
top1 = ["%.4f" % (1 - p["top1_error"]) for p in ra["protocols"]]
print("%s: reports %s (top-1 %s, %s images)" % (label, "identical" if ra == rb else "DIFFER", top1, ra.get("images")))
sys.exit(0 if ra == rb else 1)
EOF
}
for kind in idx folders ilsvrc; do
  case "$kind" in
    idx) EVAL=(eval "$MODEL" --data "$DATA/idx" --split test) ;;
    folders) EVAL=(eval "$MODEL" --data "$DATA/folders/val") ;;
    ilsvrc) EVAL=(eval "$MODEL" --data "$DATA/ilsvrc/val" --labels "$DATA/ilsvrc/labels.txt") ;;
  esac
  say "eval ($kind): one JVM, then the cluster"
  local_run "eval-$kind-local" "${EVAL[@]}" --compare single,ten-crop --report "$WORK/eval-$kind-local.json" \
    --skip-bad || fail "local eval ($kind)"
  submit "eval-$kind-cluster" "${EVAL[@]}" --compare single,ten-crop --report "$WORK/eval-$kind-cluster.json" \
    --skip-bad --spark "$MASTER" --partitions 4 || fail "cluster eval ($kind)"
  compare_reports "$WORK/eval-$kind-local.json" "$WORK/eval-$kind-cluster.json" "eval $kind: cluster vs one JVM" \
    || fail "eval $kind reports differ"
done

# --- 4. a master that cannot be reached ---------------------------------------------------------------------------
say "train against spark://127.0.0.1:1"
set +e
local_run train-unreachable "${TRAIN[@]}" --spark spark://127.0.0.1:1 --checkpoint-dir "$WORK/runs/unreachable"
CODE=$?
set -e
say "exit code $CODE: $(tail -1 "$WORK/logs/train-unreachable.log")"
[[ "$CODE" == 2 && ! -e "$WORK/runs/unreachable/checkpoint.zip" ]] || fail "expected exit code 2 and no checkpoint"

say "all checks passed; logs in $WORK/logs"
