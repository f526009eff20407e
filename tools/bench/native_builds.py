#!/usr/bin/python3
"""Which nd4j-native build is fastest here: runs `repzoo bench` with each build's jar in place of the pinned one
(linux-x86_64-onednn), rounds interleaved, medians. The builds must be in ~/.m2 (fetch one with
`mvn dependency:get -Dartifact=org.nd4j:nd4j-native:1.0.0-M2.1:jar:CLASSIFIER -Dtransitive=false`); missing ones are
skipped. -avx512 builds die with an illegal instruction on CPUs (or VMs) without AVX-512: check `grep avx512f /proc/cpuinfo`.

    /usr/bin/python3 tools/bench/native_builds.py [--builds linux-x86_64,linux-x86_64-avx2,linux-x86_64-onednn,...]
        [--model repvgg_a0_deploy] [--batch 16] [--threads 2] [--rounds 3] [--iterations 5]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JARS = os.path.expanduser("~/.m2/repository/org/nd4j/nd4j-native/1.0.0-M2.1/nd4j-native-1.0.0-M2.1-{}.jar")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", default="linux-x86_64,linux-x86_64-avx2,linux-x86_64-onednn,linux-x86_64-onednn-avx2")
    parser.add_argument("--model", default="repvgg_a0_deploy")
    parser.add_argument("--mode", default="infer")
    parser.add_argument("--batch", default="16")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", default="5")
    args = parser.parse_args()
    subprocess.run(["./repzoo", "--version"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    base = [p for p in open(os.path.join(ROOT, "cli/target/classpath.txt")).read().strip().split(":")
            if not os.path.basename(p).startswith("nd4j-native-1.0.0-M2.1-")]
    builds = [b for b in args.builds.split(",") if os.path.exists(JARS.format(b))]
    skipped = sorted(set(args.builds.split(",")) - set(builds))
    if skipped:
        print(f"not in ~/.m2, skipped: {', '.join(skipped)}", file=sys.stderr)
    rates = {b: [] for b in builds}
    loaded = {}
    with tempfile.TemporaryDirectory() as scratch:
        for round_index in range(args.rounds):
            for build in builds:
                out = f"{scratch}/{build}.json"
                classpath = ":".join([os.path.join(ROOT, "cli/target/repzoo-cli.jar")] + base + [JARS.format(build)])
                env = dict(os.environ, OMP_NUM_THREADS=args.threads)
                subprocess.run(["java", "-cp", classpath, "org.repzoo.cli.Main", "bench", args.model, "--mode", args.mode,
                                "--batch", args.batch, "--threads", args.threads, "--iterations", args.iterations,
                                "--json", out], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if os.path.exists(out):
                    report = json.load(open(out))
                    rates[build].append(report["results"][0]["images_per_second"]["median"])
                    loaded[build] = report["nd4j_native"]
                    os.remove(out)
                print(f"round {round_index + 1}: {build}: {rates[build][-1:] or 'failed'} "
                      f"(load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    print(f"{args.model} {args.mode}, batch {args.batch}, {args.threads} threads, {args.rounds} rounds interleaved, "
          f"load at end {os.getloadavg()[0]:.2f}")
    print("| build | loaded | img/s (median of rounds) | rounds |")
    print("|---|---|---|---|")
    for build in builds:
        value = f"{statistics.median(rates[build]):.1f}" if rates[build] else "failed"
        print(f"| {build} | {loaded.get(build, '?')} | {value} | {', '.join(f'{r:.1f}' for r in rates[build])} |")


if __name__ == "__main__":
    main()
