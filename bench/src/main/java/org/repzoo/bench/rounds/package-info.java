/**
 * Timing experiments behind the figures in docs/: plain programs (a {@code main} each) that run their candidates in
 * interleaved rounds and print medians, tables and, where the docs set a target, whether it held. They used to be
 * opt-in JUnit classes; as programs they run outside any test suite, with the same {@code -Drepzoo.bench.*}
 * properties: {@code tools/bench/rounds.sh ResNeXtSpeedRounds} builds this module and runs one, with JVM options from
 * {@code BENCH_JAVA_OPTS}. Kernel micro-benchmarks are JMH's ({@code org.repzoo.bench.jmh}).
 */
package org.repzoo.bench.rounds;
