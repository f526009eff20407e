#!/usr/bin/python3
"""RepZoo (DL4J, and RepZoo's ONNX export on ONNX Runtime), PyTorch and ONNX Runtime on PyTorch's export side by side
on the same models, batches, input and threads; writes the table into docs/PERFORMANCE.md (between its side-by-side
markers, so the hand-written analysis around it stays).

For every batch size and model, in order, the engines run back to back, each in its own process with nothing else of
ours running:
  dl4j           `./repzoo bench NAME` (DL4J; every conv + batch-norm pair folded, the default of predict/eval/bench)
  dl4j-unfolded  `./repzoo bench NAME --no-fold` (the graph as built)
  torch          tools/bench/torch_bench.py (PyTorch, Debian's python3-torch)
  ort            `./repzoo bench FILE.onnx`: ONNX Runtime's Java API, the same session settings and timing, on the
                 model exported from PyTorch by torch.onnx.export (cached in --cache)
  repzoo-ort     `./repzoo bench NAME --engine onnxruntime`: ONNX Runtime on RepZoo's own export of the same net
`--rounds N` repeats the whole sweep N times and reports the median of the rounds' medians, so a burst of outside
load hits every engine alike. The machine's fp32 peak is a 4096x4096 sgemm through ND4J (`repzoo bench --sgemm`).

Run time is bounded: each measurement stops after --max-seconds of timed iterations (at least 3), plus its warm-up
iterations and process start (DL4J ~5-10 s). With the defaults (10 rows, 3 engines, --max-seconds 15, 1 round) the
whole table takes about 20-25 minutes on 2 cores; `--models repvgg_a0_deploy --max-seconds 5` about 1 minute.

    /usr/bin/python3 tools/bench/side_by_side.py [--models repvgg_a0_deploy,resnet50,resnet50:train,...]
        [--batch 1,16] [--threads 2] [--input 3x224x224] [--warmup 2] [--iterations 10] [--max-seconds 15]
        [--rounds 1] [--out docs/PERFORMANCE.md] [--cache ~/.cache/repzoo/onnx]
        [--engines dl4j,dl4j-unfolded,torch,ort,repzoo-ort]
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


def build():
    log("building the command line (./repzoo)")
    subprocess.run(["./repzoo", "--version"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def machine(env, scratch):
    cpu = "unknown"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = re.search(r"Model name:\s*(.+)", lscpu).group(1).strip()
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            flags = sorted(set(re.findall(r"\b(avx512[a-z_0-9]*|avx_vnni)\b", f.read())))
    except OSError:
        flags = []
    log("measuring the fp32 peak (sgemm through ND4J)")
    peak = run_json(["./repzoo", "bench", "--sgemm", "--json", f"{scratch}/sgemm.json"], env, f"{scratch}/sgemm.json")
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "flags": flags,
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


ENGINES = ("dl4j", "dl4j-unfolded", "torch", "ort", "repzoo-ort")
TITLES = {"dl4j": "DL4J", "dl4j-unfolded": "DL4J unfolded", "torch": "PyTorch", "ort": "ORT on torch's export",
          "repzoo-ort": "ORT on RepZoo's export"}


def measure(name, mode, engine, batch, shape, args, env, scratch):
    out = f"{scratch}/{engine}.json"
    common = ["--batch", str(batch), "--input", shape, "--threads", str(args.threads),
              "--warmup", str(args.warmup), "--iterations", str(args.iterations), "--max-seconds", str(args.max_seconds)]
    if engine == "dl4j":
        return run_json(["./repzoo", "bench", name, "--mode", mode, "--json", out] + common, env, out)
    if engine == "dl4j-unfolded":
        return run_json(["./repzoo", "bench", name, "--mode", mode, "--no-fold", "--json", out] + common, env, out)
    if engine == "repzoo-ort":
        if mode == "train":
            return {"skipped": "ONNX Runtime's Java API has no training step"}
        return run_json(["./repzoo", "bench", name, "--engine", "onnxruntime", "--json", out] + common, env, out)
    if engine == "torch":
        report = run_json([PYTHON, "tools/bench/torch_bench.py", name, "--mode", mode, "--json", out] + common, env, out)
        return report
    if mode == "train":
        return {"skipped": "ONNX Runtime's Java API has no training step"}
    path, why = onnx_file(name, shape, args.cache, env)
    if path is None:
        return {"skipped": why}
    return run_json(["./repzoo", "bench", path, "--json", out] + common, env, out)


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


def table(rows, peak, engines):
    """One row per model, mode and batch: each engine's images/s, the ratios the targets are about, the share of the
    fp32 peak each engine reaches, and peak resident memory."""
    ratios = [(a, b) for a, b in (("dl4j", "torch"), ("repzoo-ort", "ort"), ("repzoo-ort", "dl4j"),
                                   ("dl4j", "dl4j-unfolded")) if a in engines and b in engines]
    header = (["model", "mode", "batch"] + [f"{TITLES[e]} img/s" for e in engines]
              + [f"{TITLES[a]} / {TITLES[b]}" for a, b in ratios] + [f"% of peak: {TITLES[e]}" for e in engines]
              + ["peak RSS MB: " + " / ".join(TITLES[e] for e in engines)])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    notes = []
    for row in rows:
        cells = [row["name"], row["mode"], str(row["batch"])]
        for engine in engines:
            value = row["rates"].get(engine)
            why = row["why"].get(engine)
            if value is None and why:
                notes.append(why)
                cells.append(f"— [{len(notes)}]")
            else:
                cells.append(fmt(value))
        cells += [ratio(row["rates"].get(a), row["rates"].get(b)) for a, b in ratios]
        for engine in engines:
            value = row["rates"].get(engine)
            if value is None or not row.get("macs") or not peak:
                cells.append("—")
            else:
                gflops = value * row["macs"] * (2 if row["mode"] == "infer" else 6) / 1e9
                cells.append(f"{100 * gflops / peak:.0f}%")
        cells.append(" / ".join(fmt(row["memory"].get(e), 0) for e in engines))
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines.append("")
        lines += [f"[{i + 1}] {note}" for i, note in enumerate(notes)]
    return lines


def derived(rows, engines):
    """Deploy/train and ResNeXt/ResNet ratios per engine and batch, from the table's rows."""
    by_name = {(r["name"], r["mode"], r["batch"]): r["rates"] for r in rows}
    lines = []
    for (name, mode, batch), rates in by_name.items():
        if name.endswith("_deploy") and (name[:-len("_deploy")], mode, batch) in by_name:
            train = by_name[(name[:-len("_deploy")], mode, batch)]
            lines.append(f"| {name[:-len('_deploy')]} deploy / train form, batch {batch} | "
                         + " | ".join(ratio(rates.get(e), train.get(e)) for e in engines) + " |")
        if name == "resnext50_32x4d" and mode == "infer" and ("resnet50", mode, batch) in by_name:
            r = by_name[("resnet50", mode, batch)]
            lines.append(f"| resnext50_32x4d / resnet50, batch {batch} | "
                         + " | ".join(ratio(rates.get(e), r.get(e)) for e in engines) + " |")
    if not lines:
        return []
    return (["| ratio of images/s | " + " | ".join(TITLES[e] for e in engines) + " |",
             "|---|" + "---|" * len(engines)] + lines)


def verdicts(rows, engines):
    """One line per target the table can decide: the target, the figures it rests on, and whether it held."""
    lines = []
    by_key = {(r["name"], r["mode"], r["batch"]): r["rates"] for r in rows}
    if {"repzoo-ort", "ort"} <= set(engines):
        ratios = [(f"{name} b{batch}", rates["repzoo-ort"] / rates["ort"])
                  for (name, mode, batch), rates in by_key.items() if rates.get("repzoo-ort") and rates.get("ort")]
        if ratios:
            worst = min(ratios, key=lambda item: item[1])
            lines.append(f"- target: ORT on RepZoo's export >= 0.97x ORT on torch's export, every row: "
                         f"**{'held' if worst[1] >= 0.97 else 'missed'}** (lowest {worst[1]:.2f}x, {worst[0]})")
    if {"repzoo-ort", "dl4j"} <= set(engines):
        rates = by_key.get(("repvgg_a0_deploy", "infer", 16), {})
        if rates.get("repzoo-ort") and rates.get("dl4j"):
            value = rates["repzoo-ort"] / rates["dl4j"]
            lines.append(f"- target: ORT on RepZoo's export >= 1.8x the DL4J engine, repvgg_a0_deploy batch 16: "
                         f"**{'held' if value >= 1.8 else 'missed'}** ({value:.2f}x)")
    if "dl4j" in engines:
        for (name, mode, batch), rates in by_key.items():
            train = by_key.get((name[:-len("_deploy")], mode, batch), {}) if name.endswith("_deploy") else {}
            if rates.get("dl4j") and train.get("dl4j"):
                value = rates["dl4j"] / train["dl4j"]
                lines.append(f"- target: {name} >= 1.5x its train form on DL4J, batch {batch}: "
                             f"**{'held' if value >= 1.5 else 'missed'}** ({value:.2f}x)")
    return lines


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
    parser.add_argument("--models", default=DEFAULT_MODELS,
                        help="NAME, NAME:train, NAME@CxHxW (an input of its own), comma-separated")
    parser.add_argument("--batch", default="1,16", help="batch sizes, comma-separated")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--input", default="3x224x224")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "PERFORMANCE.md"))
    parser.add_argument("--raw", default=os.path.join(ROOT, "target", "side_by_side.json"),
                        help="every report, as JSON")
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/repzoo/onnx"))
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",")]
    if not set(engines) <= set(ENGINES):
        parser.error(f"bad --engines '{args.engines}': choose from {', '.join(ENGINES)}")
    try:
        batches = [int(b) for b in args.batch.split(",")]
    except ValueError:
        parser.error(f"bad --batch '{args.batch}': comma-separated positive integers")
    wanted = []
    shapes = {}
    for item in args.models.split(","):
        item, _, shape = item.strip().partition("@")
        name, _, mode = item.partition(":")
        if mode not in ("", "infer", "train"):
            parser.error(f"bad model '{item}': NAME, NAME:train or NAME@CxHxW")
        wanted.append((name, mode or "infer"))
        shapes[name] = shape or args.input

    started = time.time()
    env = environment(args.threads)
    build()
    with tempfile.TemporaryDirectory(prefix="repzoo-bench-") as scratch:
        host = machine(env, scratch)
        log(f"fp32 peak {fmt(host['sgemm_gflops'])} GFLOP/s on {host['cpu']}, {host['cores']} cores")
        raw = {f"{n}:{m}:{b}": {e: [] for e in engines} for b in batches for n, m in wanted}
        for round_index in range(args.rounds):
            for batch in batches:
                for name, mode in wanted:
                    for engine in engines:
                        log(f"round {round_index + 1}/{args.rounds}: {name} {mode} batch {batch} on {engine}")
                        raw[f"{name}:{mode}:{batch}"][engine].append(
                            measure(name, mode, engine, batch, shapes[name], args, env, scratch))
    rows = []
    for batch in batches:
        for name, mode in wanted:
            reports = raw[f"{name}:{mode}:{batch}"]
            label = name if shapes[name] == args.input else f"{name} ({shapes[name]})"
            row = {"name": label, "mode": mode, "batch": batch, "rates": {}, "memory": {}, "why": {}, "macs": None}
            for engine, runs in reports.items():
                rates = [rate(r) for r in runs if rate(r) is not None]
                if rates:
                    row["rates"][engine] = statistics.median(rates)
                    row["memory"][engine] = max((resident_mb(r) or 0) for r in runs) or None
                else:
                    row["why"][engine] = f"{engine}: " + (runs[0].get("skipped") or runs[0].get("error")
                                                          or "no figure")
                for r in runs:
                    if engine.startswith("dl4j") and r.get("multiply_adds", -1) > 0:
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
        f"`{host['nd4j_native']}`; CPU flags {' '.join(host['flags']) or 'without AVX-512 or AVX-VNNI'}.",
        f"- Measured fp32 peak: **{fmt(host['sgemm_gflops'])} GFLOP/s** (4096x4096 sgemm through ND4J, median of 5).",
        f"- Load average (1, 5, 15 min) at start {', '.join(f'{v:.2f}' for v in host['load_average_start'])}; "
        f"at end {', '.join(f'{v:.2f}' for v in load_end)}.",
        "- GFLOP/s count 2 x multiply-adds (as `repzoo summary` counts them) per image for inference and 6 x for a "
        "training step; % of peak is an engine's GFLOP/s over the measured sgemm peak. Peak RSS is each process's "
        "resident high-water mark during the measurement, weights included. DL4J folds every conv + batch-norm pair "
        "before it runs (`repzoo bench`'s default); DL4J unfolded is `--no-fold`.",
        "",
    ] + table(rows, host["sgemm_gflops"], engines) + [""] + derived(rows, engines)
    targets = verdicts(rows, engines)
    section += [""] + targets if targets else []
    for line in targets:
        log(line[2:].replace("**", ""))
    write(args.out, section)
    os.makedirs(os.path.dirname(args.raw), exist_ok=True)
    with open(args.raw, "w") as f:
        json.dump({"settings": vars(args), "machine": host, "reports": raw}, f, indent=2)
    log(f"wrote {args.out} and {args.raw} in {minutes:.1f} min")


if __name__ == "__main__":
    main()
