#!/usr/bin/python3
"""Where a DL4J run's time goes, by layer kind: reads a JFR recording's native-method samples (the Java thread that
called into libnd4j/oneDNN, which is where DL4J spends its time) and counts each sample under the innermost DL4J layer,
helper or graph-vertex frame on its stack, or the innermost RepZoo frame.

    REPZOO_JAVA_OPTS="-XX:StartFlightRecording=filename=run.jfr,settings=profile" ./repzoo bench resnet50 --mode train
    /usr/bin/python3 tools/bench/jfr_layers.py run.jfr [--top 15] [--thread main]

Needs the JDK's `jfr` tool on PATH.
"""
import argparse
import collections
import re
import subprocess

FRAME = re.compile(r"^\s+([\w.$<>]+)\(.*?\)\s+line:", re.M)
THREAD = re.compile(r'sampledThread = "([^"]*)"')
OWNERS = ("org.deeplearning4j.nn.layers.", "org.deeplearning4j.nn.graph.vertex.", "org.deeplearning4j.nn.updater.",
          "org.repzoo.")


def owner(frames):
    for frame in frames:
        if frame.startswith(OWNERS):
            return frame.replace("org.deeplearning4j.nn.", "").replace("org.repzoo.", "repzoo.")
    return "other: " + (frames[0] if frames else "?")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recording")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--thread", default="main", help="sampled thread name ('' for all)")
    args = parser.parse_args()
    text = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", "jdk.NativeMethodSample",
                           args.recording], check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    for event in text.split("jdk.NativeMethodSample")[1:]:
        thread = THREAD.search(event)
        if args.thread and (thread is None or thread.group(1) != args.thread):
            continue
        counts[owner(FRAME.findall(event))] += 1
    total = sum(counts.values())
    print(f"{total} native-method samples on thread {args.thread or '(all)'}")
    for name, count in counts.most_common(args.top):
        print(f"{100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
