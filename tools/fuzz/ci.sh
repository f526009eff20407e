#!/usr/bin/env bash
# Brief CI fuzzing of the checkpoint parsers: each fuzz target of weights/.../format/fuzz for a few tens of seconds,
# starting from the committed seeds. Exits non-zero on any finding (an exception other than CheckpointException, an
# OutOfMemoryError, an input that runs over 10 s) or build failure, after printing what was found and where.
#
#   tools/fuzz/ci.sh                        # about 2.5 minutes: 20 s of fuzzing per target
#   FUZZ_MAVEN_FLAGS=-o tools/fuzz/ci.sh    # offline, from ~/.m2
#   FUZZ_SECONDS=60 FUZZ_WORK=tools/fuzz/work tools/fuzz/ci.sh
#
# The corpus grown here is thrown away; a finding's input is kept in the work folder that the output names
# (a temporary folder unless FUZZ_WORK is set).
set -euo pipefail
source "$(dirname "$0")/common.sh"

seconds="${FUZZ_SECONDS:-20}"
work="${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/repzoo-fuzz-ci.XXXXXX")}"

fuzz_compile
failed=0
for target in "${FUZZ_TARGETS[@]}"; do
    dir="$work/${target/\#/.}"
    rm -rf "$dir/corpus"
    start=$SECONDS
    status=0
    fuzz_target "$target" "$dir" -max_total_time="$seconds" -timeout=10 || status=$?
    fuzz_summary "$target" "$dir" $((SECONDS - start)) "$status"
    if [ "$status" -ne 0 ] || [ -n "$(find "$dir/findings" -type f)" ]; then
        failed=1
    fi
done
if [ "$failed" -ne 0 ]; then
    echo "fuzzing found a problem: inputs and logs are in $work" >&2
    exit 1
fi
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
