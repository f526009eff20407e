#!/usr/bin/env bash
# Long fuzzing campaign of the checkpoint parsers: each fuzz target for FUZZ_RUNS executions (default one million),
# or FUZZ_MAX_SECONDS (default 25 minutes) if that comes first, one after the other. Prints per target the executions,
# their rate, coverage (cov: code edges, ft: features) and findings, and exits non-zero if there are any.
#
#   tools/fuzz/campaign.sh                                   # all targets
#   tools/fuzz/campaign.sh NpzFuzzTest#npzOrNpyFile          # some of them
#   FUZZ_RUNS=5000000 FUZZ_MAX_SECONDS=7200 FUZZ_MAVEN_FLAGS=-o tools/fuzz/campaign.sh
#
# Corpus and findings stay in FUZZ_WORK (default tools/fuzz/work/, which git ignores), so a later campaign resumes
# from the corpus an earlier one grew. A finding's input reproduces as a regression test once copied into
# weights/src/test/resources/org/repzoo/weights/format/fuzz/<Class>Inputs/<method>/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

runs="${FUZZ_RUNS:-1000000}"
max_seconds="${FUZZ_MAX_SECONDS:-1500}"
work="${FUZZ_WORK:-$FUZZ_ROOT/tools/fuzz/work}"
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${FUZZ_TARGETS[@]}")

fuzz_compile
echo "campaign: ${#targets[@]} target(s), $runs executions or ${max_seconds}s each, work folder $work"
failed=0
for target in "${targets[@]}"; do
    dir="$work/${target/\#/.}"
    start=$SECONDS
    status=0
    fuzz_target "$target" "$dir" -runs="$runs" -max_total_time="$max_seconds" -timeout=10 || status=$?
    fuzz_summary "$target" "$dir" $((SECONDS - start)) "$status"
    if [ "$status" -ne 0 ] || [ -n "$(find "$dir/findings" -type f)" ]; then
        failed=1
    fi
done
exit "$failed"
