# Shared by ci.sh and campaign.sh (source it, do not run it): fuzzes one @FuzzTest of the weights module through
# Maven/surefire with Jazzer's JUnit integration, keeping corpus and findings in a work folder outside the sources.
#
# Settings (environment):
#   FUZZ_MAVEN_FLAGS  extra Maven flags, e.g. -o to build offline from ~/.m2
#   FUZZ_HEAP         heap of the fuzzing JVM (default 1g: small, so that an input that allocates too much is a
#                     finding rather than something a large heap hides)

# The fuzz targets: one per parser, and one that feeds the unpickler directly (see TorchCheckpointFuzzTest).
FUZZ_TARGETS=(
    TorchCheckpointFuzzTest#pthFile
    TorchCheckpointFuzzTest#dataPkl
    NpzFuzzTest#npzOrNpyFile
    SafetensorsFuzzTest#safetensorsFile
)

FUZZ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
read -r -a FUZZ_MVN <<< "mvn -B -ntp -Dstyle.color=never ${FUZZ_MAVEN_FLAGS:-}"

# Compiles the weights module and its tests once, so that each target only starts surefire.
fuzz_compile() {
    (cd "$FUZZ_ROOT" && "${FUZZ_MVN[@]}" -q -pl zoo,weights test-compile)
}

# fuzz_target TARGET WORK_DIR LIBFUZZER_FLAG...
# Fuzzes TARGET (Class#method) with WORK_DIR/corpus as its corpus (created; the committed seeds are read as well)
# and WORK_DIR/findings/ (emptied first) for crash, timeout and OOM inputs; the log is WORK_DIR/fuzz.log. Returns
# Maven's status.
fuzz_target() {
    local target="$1" work="$2"
    shift 2
    rm -rf "$work/findings"
    mkdir -p "$work/corpus" "$work/findings"
    # Jazzer takes libFuzzer's command line from jazzer.internal.arg.N (0 is argv[0]); flags given here come after
    # its own (-max_total_time from @FuzzTest, -artifact_prefix into src/test/resources), so they win.
    local args=(-Djazzer.internal.arg.0=jazzer -Djazzer.internal.arg.1="$work/corpus"
        -Djazzer.internal.arg.2=-artifact_prefix="$work/findings/" -Djazzer.internal.arg.3=-print_final_stats=1)
    local i=4 flag
    for flag in "$@"; do
        args+=("-Djazzer.internal.arg.$i=$flag")
        i=$((i + 1))
    done
    # _JAVA_OPTIONS comes after the command line, so it overrides the -Xmx of the surefire argLine.
    (cd "$FUZZ_ROOT" && JAZZER_FUZZ=1 \
        _JAVA_OPTIONS="-Xmx${FUZZ_HEAP:-1g} -XX:-OmitStackTraceInFastThrow" \
        "${FUZZ_MVN[@]}" -pl weights surefire:test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
        "${args[@]}") > "$work/fuzz.log" 2>&1
}

# fuzz_summary TARGET WORK_DIR WALL_SECONDS STATUS: libFuzzer's figures on one line, then any findings.
fuzz_summary() {
    local target="$1" work="$2" wall="$3" status="$4"
    local log="$work/fuzz.log"
    # "#1048576 pulse  cov: 512 ft: 2048 corp: 300/90Kb lim: 4096 exec/s: 1700 rss: 700Mb" and, unless it stopped
    # at a finding, "Done 1000000 runs in 590 second(s)".
    local last done runs seconds rate cov ft
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    done=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$runs" ] || runs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
    seconds=$(echo "$done" | sed -n 's/.* in \([0-9]*\) second.*/\1/p')
    if [ -n "$seconds" ] && [ "$seconds" -gt 0 ]; then
        rate=$((runs / seconds))
    else
        seconds=""  # stopped at a finding: libFuzzer's own timing is not meaningful then
        rate=$(echo "$last" | sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p')
    fi
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    local corpus findings
    corpus=$(find "$work/corpus" -type f | wc -l)
    findings=$(find "$work/findings" -type f | wc -l)
    printf '%-36s execs %8s in %5ss (%5ss wall), %5s/s  cov %4s  ft %5s  corpus %4s  findings %s  %s\n' "$target" \
        "${runs:-?}" "${seconds:-?}" "$wall" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$findings" \
        "$([ "$status" -eq 0 ] && echo ok || echo "FAILED (exit $status, log $log)")"
    if [ "$findings" -gt 0 ] || [ "$status" -ne 0 ]; then
        find "$work/findings" -type f -printf '    finding: %p (%s bytes)\n'
        grep -E -A12 '^== Java Exception|ALARM: working|OutOfMemoryError|<<< (ERROR|FAILURE)!|forked VM terminated|COMPILATION ERROR|Could not resolve|ParseDictionaryFile' \
            "$log" | grep -v '^\s*at \(java\.base/\)\?\(java\.util\.stream\|org\.junit\)' | head -40 | sed 's/^/    /' || true
    fi
}
