#!/usr/bin/env bash
# Runs the spark module's tests RUNS times in a row (default 50) and says how many runs hung or failed, with the run
# times' median and maximum. A run that outlives LIMIT seconds (default 600) is killed and counted as a hang; so is a
# failure whose log says a JUnit timeout fired. Each run's log stays in the printed folder.
#
#   tools/spark/test_loop.sh [RUNS] [LIMIT]
#
# Upstream modules come from the reactor (-am, their tests not run), so the working tree is all it uses; run it in a
# copy of the repository if you go on building in this one meanwhile.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-50}
limit=${2:-600}
logs=$(mktemp -d /tmp/repzoo-spark-loop.XXXXXX)
# Compiles once, so that the first run's time is a test run's.
mvn -B -ntp -q test-compile -pl spark -am >"$logs/build.log" 2>&1 || { echo "build failed: $logs/build.log"; exit 1; }
hangs=0
failures=0
: >"$logs/seconds"
for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    # A session of its own, so that a hang's surefire JVM can be killed without touching other builds' JVMs.
    setsid timeout --signal=KILL "$limit" mvn -B -ntp -o test -pl spark -am -Dtest='org.repzoo.spark.**' \
        -Dsurefire.failIfNoSpecifiedTests=false >"$logs/run-$i.log" 2>&1 &
    run=$!
    wait $run
    rc=$?
    seconds=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
    if [ $rc -eq 137 ]; then
        verdict=hang; hangs=$((hangs + 1)); kill -9 -- -"$run" 2>/dev/null || true
    elif [ $rc -ne 0 ] && grep -q 'timed out after' "$logs/run-$i.log"; then
        verdict="hang (a JUnit timeout)"; hangs=$((hangs + 1))
    elif [ $rc -ne 0 ]; then
        verdict=failure; failures=$((failures + 1))
    else
        verdict=pass
    fi
    tests=$(grep -o 'Tests run: [0-9]*, Failures: [0-9]*, Errors: [0-9]*, Skipped: [0-9]*$' "$logs/run-$i.log" | tail -1)
    printf 'run %d: %s in %s s (%s; load %s)\n' "$i" "$verdict" "$seconds" "$tests" "$(cut -d' ' -f1 /proc/loadavg)"
    echo "$seconds" >>"$logs/seconds"
done
sort -n "$logs/seconds" | awk -v runs="$runs" -v hangs="$hangs" -v failures="$failures" -v logs="$logs" '
    { t[NR] = $1 }
    END {
        median = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "%d runs: %d hangs, %d failures; run time median %.1f s, max %.1f s (logs in %s)\n", runs, hangs,
            failures, median, t[NR], logs
    }'
[ $hangs -eq 0 ] && [ $failures -eq 0 ]
