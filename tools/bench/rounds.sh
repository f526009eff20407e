#!/usr/bin/env bash
# The timing programs of the bench/ module (org.repzoo.bench.rounds: interleaved rounds, medians, the tables of the
# docs). Builds the module, then runs the program named first with the arguments after it. Settings are system
# properties: pass them, and any other JVM option, in BENCH_JAVA_OPTS. The JVM gets the test suite's memory settings
# (ND4J keeps weights off-heap, so JavaCPP's limits bound them); BENCH_JAVA_OPTS comes after and overrides them. None
# of the programs uses Spark, so Spark's --add-opens flags are not needed.
#   tools/bench/rounds.sh GroupedConvolutionRounds          # docs/notes/2026-11-25-grouped-convolution.md
#   BENCH_JAVA_OPTS=-Drepzoo.bench.shapes=64x56g32 tools/bench/rounds.sh GroupedConvolutionRounds
#   OMP_NUM_THREADS=1 BENCH_JAVA_OPTS="-Drepzoo.bench.batch=2 -Drepzoo.bench.rounds=3" \
#       tools/bench/rounds.sh SeparableConvolutionRounds    # docs/notes/2026-11-25-separable-convolution.md
#   tools/bench/rounds.sh SqueezeExcitationRounds           # ChannelScale vs Upsampling2D + Product
#   tools/bench/rounds.sh ResNeXtSpeedRounds                # then: /usr/bin/python3 tools/bench/resnext_torch.py 7
#   tools/bench/rounds.sh ReparamRounds conversion          # sections: gap, conversion, speed (none: all three)
#   BENCH_JAVA_OPTS=-Drepzoo.bench.protocols=single,ten-crop tools/bench/rounds.sh EvaluationRounds
#   tools/bench/rounds.sh TrainingStepRounds                # then: /usr/bin/python3 tools/bench/train_step_torch.py
#   BENCH_JAVA_OPTS="-Drepzoo.bench.models=resnet.*" tools/bench/rounds.sh EveryModelRounds
#   tools/bench/rounds.sh SafetensorsReadRounds             # a VGG-16-sized checkpoint read back, GB/s
set -euo pipefail
if [[ $# -lt 1 ]]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -ntp -DskipTests -pl bench -am package >/dev/null
MEMORY=(-Xmx2g -Dorg.bytedeco.javacpp.maxbytes=12G -Dorg.bytedeco.javacpp.maxphysicalbytes=18G)
# BENCH_JAVA_OPTS is split on spaces on purpose (several options in one variable), but not globbed: a regex such as
# -Drepzoo.bench.models=resnet.* must reach the JVM as written.
set -f
# shellcheck disable=SC2086
exec java "${MEMORY[@]}" ${BENCH_JAVA_OPTS:-} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  "org.repzoo.bench.rounds.$1" "${@:2}"
