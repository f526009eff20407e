#!/usr/bin/env bash
# The JMH benchmarks of the bench/ module (grouped convolution, BatchNorm folding, resize/crop). Builds the module, then
# runs JMH with the arguments given, e.g.
#   tools/bench/jmh.sh                                   # everything (about 6 minutes on 2 cores)
#   tools/bench/jmh.sh PreprocessingBench -f 1 -wi 1 -i 3
#   tools/bench/jmh.sh GroupedConvolutionBench -p shape=128x56g32,128x56g1 -rf json -rff target/jmh.json
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -ntp -DskipTests -pl bench -am package >/dev/null
exec java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main "$@"
