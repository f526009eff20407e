#!/usr/bin/python3
"""Where oneDNN's time goes in a run: sums a DNNL_VERBOSE=1 (or ONEDNN_VERBOSE=1) log by primitive, propagation kind
and implementation, and reorders by source and destination layout. DL4J's libnd4j, JavaCPP's oneDNN (the training
convolution) and PyTorch's oneDNN all write this log to stdout.

    DNNL_VERBOSE=1 ./repzoo train ... --limit 6400 --epochs 1 > dl4j.log
    ONEDNN_VERBOSE=1 /usr/bin/python3 tools/experiments/fashion_mnist_torch.py ... --limit 6400 --epochs 1 > torch.log
    /usr/bin/python3 tools/bench/dnnl_verbose.py dl4j.log --iterations 50 [--markdown]

By default only the training part counts: the lines up to the last backward primitive (the validation pass after it
runs forward primitives only). --all counts every line.
"""
import argparse
import collections


def layout(descriptor):
    """'src_f32::blocked:abcd:f0' -> 'abcd'."""
    fields = descriptor.split(":")
    return fields[-2] if len(fields) >= 2 else descriptor


def key(fields):
    primitive, implementation, prop = fields[3], fields[4], fields[5]
    if primitive == "reorder":
        memories = fields[6].split(" ")
        return "reorder", f"{layout(memories[0])} -> {layout(memories[1])}"
    return primitive, f"{prop} {implementation}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log")
    parser.add_argument("--iterations", type=int, default=0, help="training iterations in the log: adds ms/iteration")
    parser.add_argument("--all", action="store_true", help="count the validation pass too")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    lines = [line.rstrip("\n") for line in open(args.log, errors="replace")
             if line.startswith(("dnnl_verbose,exec", "onednn_verbose,exec"))]
    if not args.all:
        last = max((i for i, line in enumerate(lines) if ",backward" in line), default=len(lines) - 1)
        lines = lines[:last + 1]
    totals = collections.defaultdict(lambda: [0, 0.0])
    for line in lines:
        fields = line.split(",")
        entry = totals[key(fields)]
        entry[0] += 1
        entry[1] += float(fields[-1])
    everything = sum(ms for _, ms in totals.values()) or 1.0
    kinds = collections.defaultdict(float)
    for (primitive, _), (_, ms) in totals.items():
        kinds[primitive] += ms
    rows = sorted(totals.items(), key=lambda item: -item[1][1])
    per = args.iterations
    if args.markdown:
        print("| primitive | what | calls | ms | share |" + (" ms/iteration |" if per else ""))
        print("|---|---|---:|---:|---:|" + ("---:|" if per else ""))
        for (primitive, what), (calls, ms) in rows:
            print(f"| {primitive} | {what} | {calls} | {ms:.1f} | {100 * ms / everything:.1f}% |"
                  + (f" {ms / per:.2f} |" if per else ""))
    else:
        for (primitive, what), (calls, ms) in rows:
            print(f"{ms:10.1f} ms {100 * ms / everything:5.1f}% {calls:7d}  {primitive:12s} {what}"
                  + (f"  {ms / per:7.2f} ms/it" if per else ""))
    print(f"total {everything:.1f} ms" + (f", {everything / per:.2f} ms per iteration" if per else "")
          + "; " + ", ".join(f"{kind} {ms:.1f} ms ({100 * ms / everything:.0f}%)" for kind, ms in
                             sorted(kinds.items(), key=lambda item: -item[1])))


if __name__ == "__main__":
    main()
