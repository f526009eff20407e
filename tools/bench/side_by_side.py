#!/usr/bin/python3
"""RepZoo (DL4J), PyTorch and ONNX Runtime (Java API) side by side on the same models, batch, input and threads; writes
the table into docs/PERFORMANCE.md (between its side-by-side markers, so the hand-written analysis around it stays).

For every model, in order, the three engines run back to back, each in its own process with nothing else of ours
running: `./repzoo bench` (DL4J), tools/bench/torch_bench.py (PyTorch, Debian's python3-torch) and
org.repzoo.bench.OrtBench (ONNX Runtime's Java API on the model exported from PyTorch by torch.onnx.export, cached in
--cache). `--rounds N` repeats the whole sweep N times and reports the median of the rounds' medians, so a burst of
outside load hits every engine alike. The machine's fp32 peak is a 4096x4096 sgemm through ND4J (`repzoo bench --sgemm`).

Run time is bounded: each measurement stops after --max-seconds of timed iterations (at least 3), plus its warm-up
iterations and process start (DL4J ~5-10 s). With the defaults (10 rows, 3 engines, --max-seconds 15, 1 round) the
whole table takes about 20-25 minutes on 2 cores; `--models repvgg_a0_deploy --max-seconds 5` about 1 minute.

    /usr/bin/python3 tools/bench/side_by_side.py [--models repvgg_a0_deploy,resnet50,resnet50:train,...]
        [--batch 16] [--threads 2] [--input 3x224x224] [--warmup 2] [--iterations 10] [--max-seconds 15]
        [--rounds 1] [--out docs/PERFORMANCE.md] [--cache ~/.cache/repzoo/onnx] [--engines dl4j,torch,ort]
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = "/usr/bin/python3"  # Debian's, which has torch; not the first python3 on PATH
DEFAULT_MODELS = ("repvgg_a0_deploy,repvgg_a0,repvgg_b0_deploy,repvgg_b0,repvgg_b1g4_deploy,repvgg_b1g4,"
                  "resnet50,resnet50:train,resnext50_32x4d,vgg16")
JAVA_OPTS = "-Xmx2g -Dorg.bytedeco.javacpp.maxbytes=16G -Dorg.bytedeco.javacpp.maxphysicalbytes=20G"
BEGIN, END = "<!-- side_by_side:begin -->", "<!-- side_by_side:end -->"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_json(command, env, json_path):
    """Runs a command that writes a JSON report to json_path; returns the report, or {"error": last stderr line}."""
    if os.path.exists(json_path):
        os.remove(json_path)
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0 or not os.path.exists(json_path):
        lines = [l.strip() for l in result.stderr.splitlines() if l.strip() and "it/s" not in l]
        named = [l for l in lines if l.startswith("repzoo:") or l.startswith("ortbench:") or "Error" in l]
        return {"error": ((named or lines or [f"exit code {result.returncode}"])[-1])[:200]}
    with open(json_path) as f:
        return json.load(f)


def environment(threads):
    env = dict(os.environ)
    for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[key] = str(threads)
    env.setdefault("REPZOO_JAVA_OPTS", JAVA_OPTS)
    return env


def build(engines):
    log("building the command line (./repzoo) and the bench module")
    subprocess.run(["./repzoo", "--version"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if "ort" in engines:
        subprocess.run(["mvn", "-B", "-q", "-ntp", "-DskipTests", "-pl", "bench", "-am", "package"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)


def machine(env, scratch):
    cpu = "unknown"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = re.search(r"Model name:\s*(.+)", lscpu).group(1).strip()
    except (OSError, AttributeError):
        pass
    log("measuring the fp32 peak (sgemm through ND4J)")
    peak = run_json(["./repzoo", "bench", "--sgemm", "--json", f"{scratch}/sgemm.json"], env, f"{scratch}/sgemm.json")
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "sgemm_gflops": peak.get("sgemm", {}).get("gflops"), "nd4j_native": peak.get("nd4j_native"),
            "load_average_start": os.getloadavg()}


def onnx_file(name, shape, cache, env):
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"{name}-{shape}.onnx")
    if not os.path.exists(path):
        log(f"  exporting {name} to ONNX")
        result = subprocess.run([PYTHON, "tools/bench/torch_bench.py", name, "--export-onnx", path, "--input", shape],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            errors = [l.strip() for l in lines if "Error" in l and not l.strip().startswith("raise")]
            return None, "ONNX export failed: " + ((errors or lines or ["no message"])[-1])[:160]
        if "skipped" in result.stdout:
            return None, json.loads(result.stdout)["skipped"]
    return path, None


def measure(name, mode, engine, args, env, scratch):
    out = f"{scratch}/{engine}.json"
    common = ["--batch", str(args.batch), "--input", args.input, "--threads", str(args.threads),
              "--warmup", str(args.warmup), "--iterations", str(args.iterations), "--max-seconds", str(args.max_seconds)]
    if engine == "dl4j":
        return run_json(["./repzoo", "bench", name, "--mode", mode, "--json", out] + common, env, out)
    if engine == "torch":
        report = run_json([PYTHON, "tools/bench/torch_bench.py", name, "--mode", mode, "--json", out] + common, env, out)
        return report
    if mode == "train":
        return {"skipped": "ONNX Runtime's Java API has no training step"}
    path, why = onnx_file(name, args.input, args.cache, env)
    if path is None:
        return {"skipped": why}
    classpath = f"bench/target/classes:{open(os.path.join(ROOT, 'bench/target/classpath.txt')).read().strip()}"
    java_opts = env["REPZOO_JAVA_OPTS"].split()
    return run_json(["java"] + java_opts + ["-cp", classpath, "org.repzoo.bench.OrtBench", path, "--name", name,
                     "--json", out] + common, env, out)


def rate(report):
    """Median images/s of a report (DL4J's holds one row per batch), or None."""
    if "results" in report:
        report = report["results"][0]
    return report.get("images_per_second", {}).get("median")


def resident_mb(report):
    if "results" in report:
        report = report["results"][0]
    value = report.get("peak_resident_bytes")
    return value / 1e6 if value and value > 0 else None


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}x"


def table(rows, peak):
    lines = ["| model | mode | DL4J img/s | PyTorch img/s | ORT img/s | DL4J/PyTorch | DL4J/ORT | DL4J GFLOP/s "
             "| % of peak | peak RSS MB DL4J / PyTorch / ORT |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for row in rows:
        d, t, o = (row["rates"].get(e) for e in ("dl4j", "torch", "ort"))
        gflops = None
        if d is not None and row.get("macs"):
            gflops = d * row["macs"] * (2 if row["mode"] == "infer" else 6) / 1e9
        cells = []
        for engine, value in (("dl4j", d), ("torch", t), ("ort", o)):
            why = row["why"].get(engine)
            if value is None and why:
                notes.append(why)
                cells.append(f"— [{len(notes)}]")
            else:
                cells.append(fmt(value))
        memory = " / ".join(fmt(row["memory"].get(e), 0) for e in ("dl4j", "torch", "ort"))
        percent = "—" if gflops is None or not peak else f"{100 * gflops / peak:.0f}%"
        lines.append(f"| {row['name']} | {row['mode']} | {cells[0]} | {cells[1]} | {cells[2]} | {ratio(d, t)} "
                     f"| {ratio(d, o)} | {fmt(gflops)} | {percent} | {memory} |")
    if notes:
        lines.append("")
        lines += [f"[{i + 1}] {note}" for i, note in enumerate(notes)]
    return lines


def derived(rows):
    """Deploy/train and ResNeXt/ResNet ratios per engine, from the table's rows."""
    by_name = {(r["name"], r["mode"]): r["rates"] for r in rows}
    lines = []
    for (name, mode), rates in by_name.items():
        if name.endswith("_deploy") and (name[:-len("_deploy")], mode) in by_name:
            train = by_name[(name[:-len("_deploy")], mode)]
            lines.append(f"| {name[:-len('_deploy')]} deploy / train form | "
                         + " | ".join(ratio(rates.get(e), train.get(e)) for e in ("dl4j", "torch", "ort")) + " |")
    if ("resnext50_32x4d", "infer") in by_name and ("resnet50", "infer") in by_name:
        x, r = by_name[("resnext50_32x4d", "infer")], by_name[("resnet50", "infer")]
        lines.append("| resnext50_32x4d / resnet50 | " + " | ".join(ratio(x.get(e), r.get(e)) for e in ("dl4j", "torch", "ort"))
                     + " |")
    if not lines:
        return []
    return ["| ratio of images/s | DL4J | PyTorch | ORT |", "|---|---|---|---|"] + lines


def write(out, section):
    text = BEGIN + "\n" + "\n".join(section) + "\n" + END
    if os.path.exists(out):
        with open(out) as f:
            current = f.read()
        if BEGIN in current and END in current:
            text = current[:current.index(BEGIN)] + text + current[current.index(END) + len(END):]
        else:
            text = current.rstrip("\n") + "\n\n" + text + "\n"
    else:
        text = "# Performance\n\n" + text + "\n"
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=DEFAULT_MODELS, help="NAME or NAME:train, comma-separated")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--input", default="3x224x224")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--engines", default="dl4j,torch,ort")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "PERFORMANCE.md"))
    parser.add_argument("--raw", default=os.path.join(ROOT, "target", "side_by_side.json"),
                        help="every report, as JSON")
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/repzoo/onnx"))
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",")]
    if not set(engines) <= {"dl4j", "torch", "ort"}:
        parser.error(f"bad --engines '{args.engines}': choose from dl4j, torch, ort")
    wanted = []
    for item in args.models.split(","):
        name, _, mode = item.strip().partition(":")
        if mode not in ("", "infer", "train"):
            parser.error(f"bad model '{item}': NAME or NAME:train")
        wanted.append((name, mode or "infer"))

    started = time.time()
    env = environment(args.threads)
    build(engines)
    with tempfile.TemporaryDirectory(prefix="repzoo-bench-") as scratch:
        host = machine(env, scratch)
        log(f"fp32 peak {fmt(host['sgemm_gflops'])} GFLOP/s on {host['cpu']}, {host['cores']} cores")
        raw = {f"{n}:{m}": {e: [] for e in engines} for n, m in wanted}
        for round_index in range(args.rounds):
            for name, mode in wanted:
                for engine in engines:
                    log(f"round {round_index + 1}/{args.rounds}: {name} {mode} on {engine}")
                    raw[f"{name}:{mode}"][engine].append(measure(name, mode, engine, args, env, scratch))
    rows = []
    for name, mode in wanted:
        reports = raw[f"{name}:{mode}"]
        row = {"name": name, "mode": mode, "rates": {}, "memory": {}, "why": {}, "macs": None}
        for engine, runs in reports.items():
            rates = [rate(r) for r in runs if rate(r) is not None]
            if rates:
                row["rates"][engine] = statistics.median(rates)
                row["memory"][engine] = max((resident_mb(r) or 0) for r in runs) or None
            else:
                row["why"][engine] = f"{engine}: " + (runs[0].get("skipped") or runs[0].get("error") or "no figure")
            for r in runs:
                if engine == "dl4j" and "multiply_adds" in r:
                    row["macs"] = r["multiply_adds"]
        rows.append(row)
    minutes = (time.time() - started) / 60
    load_end = os.getloadavg()
    section = [
        f"Made by `tools/bench/side_by_side.py` on {datetime.date.today().isoformat()} in {minutes:.0f} min: "
        f"batch {args.batch}, input {args.input}, {args.threads} threads, float32, warm-up {args.warmup}, "
        f"up to {args.iterations} timed iterations (at most {args.max_seconds:g} s) per measurement, "
        f"{args.rounds} round(s), medians.",
        "",
        f"- Machine: {host['cpu']}, {host['cores']} cores (Linux {host['kernel']}); ND4J native build "
        f"`{host['nd4j_native']}`.",
        f"- Measured fp32 peak: **{fmt(host['sgemm_gflops'])} GFLOP/s** (4096x4096 sgemm through ND4J, median of 5).",
        f"- Load average (1, 5, 15 min) at start {', '.join(f'{v:.2f}' for v in host['load_average_start'])}; "
        f"at end {', '.join(f'{v:.2f}' for v in load_end)}.",
        "- GFLOP/s count 2 x multiply-adds (as `repzoo summary` counts them) per image for inference and 6 x for a "
        "training step; % of peak is DL4J's GFLOP/s over the measured sgemm peak. Peak RSS is each process's "
        "resident high-water mark during the measurement, weights included.",
        "",
    ] + table(rows, host["sgemm_gflops"]) + [""] + derived(rows)
    write(args.out, section)
    os.makedirs(os.path.dirname(args.raw), exist_ok=True)
    with open(args.raw, "w") as f:
        json.dump({"settings": vars(args), "machine": host, "reports": raw}, f, indent=2)
    log(f"wrote {args.out} and {args.raw} in {minutes:.1f} min")


if __name__ == "__main__":
    main()
