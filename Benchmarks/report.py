#!/usr/bin/env python3
"""Turns one results folder of Benchmarks/run into docs/benchmarks.md.

Usage: report.py RESULTS_DIR OUTPUT_MD

Section 3 (the Python peers, Benchmarks/peers/) is copied over from the existing document
unchanged, and so is the section (and the target rows) of every scenario this run left out
(`Benchmarks/run --only`), marked with the date and commit of the run that measured it;
Benchmarks/findings.md (written by hand) becomes the "Findings and fixes" section.
"""
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from datetime import datetime, timezone

RESULTS, OUTPUT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS_HEADING = "## 3. Peers side by side"
SCENARIOS = ("1", "2", "4", "5", "6", "7")
# Which scenario a row of the targets table belongs to, by how the row starts.
TARGET_PREFIXES = {"1": ("Engine overhead",), "2": ("10,000 in flight", "100,000 in flight"), "4": ("Download", "Streaming", "Outputs at once"),
                   "5": ("PostgreSQL workers",)}

# The performance budget of shared/design.md.
TARGET_POLL_US = 20.0
TARGET_INFLIGHT_RSS_MB = 150.0
TARGET_LATENESS_P99_MS = 50.0
# Issue 16: 100,000 waiting jobs within 250 MB; client CPU per poll (process CPU ÷ polls).
TARGET_100K_RSS_MB = 250.0
TARGET_CPU_PER_POLL_MS = 0.25
# Issue 16: a waiting job's heap beyond its stored submit answer.
TARGET_WAITING_JOB_KB = 1.0
TARGET_DOWNLOAD_RATIO = 0.9
TARGET_FILE_RSS_MB = 50.0
# Issue 16: 200 concurrent 1 MiB downloads.
TARGET_MANY_RSS_MB = 60.0
TARGET_MANY_CPU_RATIO = 1.25

MB = 1024 * 1024


def load(path):
    with open(path) as handle:
        return json.load(handle)


def maybe(path):
    return load(path) if os.path.exists(path) else None


def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def spread(values, digits=1, scale=1.0):
    """`median (min–max)` over runs."""
    values = [v * scale for v in values if v is not None]
    if not values:
        return "—"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**not met**"


# ---------------------------------------------------------------------------------------------
def machine():
    cpu = ""
    for line in command("lscpu").splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    memory = ""
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    system = ""
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    system = line.split("=", 1)[1].strip().strip('"')
    swift = command("swift", "--version").splitlines()
    commit = command("git", "-C", ROOT, "rev-parse", "--short", "HEAD")
    dirty = command("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no")
    return {
        "CPU": cpu or platform.processor(),
        "Cores": str(os.cpu_count()),
        "RAM": memory,
        "OS": f"{system}, Linux {platform.release()}",
        "Swift": swift[0] if swift else "?",
        "Commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "Date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ---------------------------------------------------------------------------------------------
def scenario1():
    """Rows from the ordo-one/benchmark percentile exports (one file per benchmark and metric)."""
    folder = os.path.join(RESULTS, "s1")
    if not os.path.isdir(folder):
        return None
    rows = {}
    metrics = {"wallClock": "wall", "cpuTotal": "cpu", "mallocCountTotal": "mallocs", "throughput": "throughput",
               "threadCPU": "threadCPU"}
    for path in glob.glob(os.path.join(folder, "*.tsv")):
        match = re.match(r".*?PollCost\.poll_(.*)\.(\w+)\.histogram\.percentiles\.tsv$", os.path.basename(path))
        if not match or match.group(2) not in metrics:
            continue
        benchmark, metric = match.group(1).replace("_", " "), metrics[match.group(2)]
        percentiles = {}
        with open(path) as handle:
            header = handle.readline()
            # The exports scale units per benchmark: "(ns)", "(μs)", "(K)", … Times are reported in µs,
            # the thread CPU clock (ns) too, counts as they are.
            unit = re.search(r"\(([^)]*)\)\s*\*?\s*$", header)
            unit = unit.group(1) if unit else ""
            scale = {"ns": 1e-3, "μs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6, "K": 1e3, "M": 1e6, "G": 1e9}.get(unit, 1.0)
            if metric == "threadCPU":
                scale = scale / 1000 if unit in ("", "K", "M", "G") else scale
            for line in handle:
                parts = line.split()
                if len(parts) >= 2:
                    try:
                        percentiles[float(parts[0])] = float(parts[1]) * scale
                    except ValueError:
                        pass
        rows.setdefault(benchmark, {})[metric] = percentiles
    return rows


def percentile(table, p):
    if not table:
        return None
    keys = sorted(table)
    best = min(keys, key=lambda k: abs(k - p))
    return table[best]


# ---------------------------------------------------------------------------------------------
def runs(pattern):
    found = []
    for path in sorted(glob.glob(os.path.join(RESULTS, pattern))):
        if path.endswith((".mock.json", ".side.json", ".time")):
            continue
        data = load(path)
        side = path[: -len(".json")]
        for suffix in (".mock.json", ".side.json"):
            extra = maybe(side + suffix)
            if extra:
                data.update(extra)
        found.append(data)
    return found


def scenario6(w, settings):
    """Section 6: the HTTP API, submits per second (6a) and SSE fan-out (6b)."""
    w("## 6. HTTP API (`pollster serve`)")
    w("")
    submits, streams = runs("s6a-*.json"), runs("s6b-*.json")
    if not submits and not streams:
        w("Not run.")
        w("")
        return
    w("The release `pollster` binary against the mock provider (`pollster-bench mock`), tasks and the API key "
      "(`pollster keys create`) in a fresh SQLite file per run, auth on. The load generators are "
      "`pollster-bench api-submit` and `api-events` (AsyncHTTPClient, one connection per request in flight). "
      "Server CPU is `utime + stime` of `/proc/<pid>/stat` over the measured phase; peak RSS is its `VmHWM`.")
    w("")
    if submits:
        w(f"### 6a. Submits: {settings.get('apiSubmits', 0):,} `POST /v1/tools/bench.video/tasks`, "
          f"{settings.get('apiConcurrency', 0)} in flight")
        w("")
        w("`serve --concurrency 0`: no worker in the process, so the server's CPU is the API's alone (the tasks "
          "stay queued). `--max-tasks-per-tenant` is twice the number of submits: every submit counts the "
          "tenant's unfinished tasks, and none is refused. "
          f"{submits[0].get('warmup', 0)} unmeasured submits first, one at a time.")
        w("")
        g = lambda key: [d.get(key) for d in submits]
        h = lambda key, p: [d.get(key, {}).get(p) for d in submits]
        w("| figure | median (min–max) |")
        w("|---|---:|")
        w(f"| accepted (`202`) | {spread(g('accepted'), 0)} |")
        other = {}
        for d in submits:
            for status, n in d.get("statuses", {}).items():
                if status != "202":
                    other[status] = other.get(status, 0) + n
        w(f"| other answers, all runs | {', '.join(f'{k} × {v}' for k, v in sorted(other.items())) or 'none'} |")
        w(f"| **submits/s** | {spread(g('submitsPerSecond'), 0)} |")
        w(f"| latency p50 / p99, ms | {spread(h('latencyMs', 'p50'), 2)} / {spread(h('latencyMs', 'p99'), 2)} |")
        w(f"| latency max, ms | {spread(h('latencyMs', 'max'), 1)} |")
        w(f"| server CPU, s | {spread(g('serverCPUSeconds'), 2)} |")
        w(f"| **server CPU per submit, ms** | {spread(g('serverCPUPerSubmitMs'), 3)} |")
        w(f"| server RSS before / peak, MB | {spread(g('serverRSSBeforeBytes'), 1, 1 / MB)} / "
          f"{spread(g('serverPeakRSSBytes'), 1, 1 / MB)} |")
        w(f"| load generator CPU, s | {spread(g('clientCPUSeconds'), 2)} |")
        w("")
    if streams:
        w(f"### 6b. Server-Sent Events: {settings.get('sseStreams', 0):,} streams on running tasks")
        w("")
        w(f"{settings.get('sseStreams', 0):,} tasks are submitted ({settings.get('apiConcurrency', 0)} in flight), then "
          f"one `GET /v1/tasks/{{id}}/events` per task is opened, all at once, and read until the server ends it "
          f"after the final state. Each task is a mock job of {settings.get('sseJobSeconds', 0)} s polled every 1 s "
          "(`bench.yaml`), run by a `pollster worker --concurrency N` process of its own on the same SQLite file, so "
          "the server's CPU is the API's and the streams' (the worker's is shown beside it). A stream is *completed* "
          "when its last event showed a final state.")
        w("")
        g = lambda key: [d.get(key) for d in streams]
        h = lambda key, p: [d.get(key, {}).get(p) for d in streams]
        w("| figure | median (min–max) |")
        w("|---|---:|")
        w(f"| tasks submitted | {spread(g('tasksSubmitted'), 0)} |")
        w(f"| **streams completed** | {spread(g('streamsCompleted'), 0)} |")
        w(f"| **events delivered** (per stream) | {spread(g('eventsDelivered'), 0)} ({spread(g('eventsPerStream'), 1)}) |")
        w(f"| stream open (response head) p50 / p99, ms | {spread(h('streamOpenMs', 'p50'), 1)} / {spread(h('streamOpenMs', 'p99'), 1)} |")
        w(f"| first event p50 / p99, ms | {spread(h('firstEventMs', 'p50'), 1)} / {spread(h('firstEventMs', 'p99'), 1)} |")
        w(f"| submit phase / stream phase, s | {spread(g('submitSeconds'), 1)} / {spread(g('streamSeconds'), 1)} |")
        w(f"| **server CPU, s** (streams phase; submits) | {spread(g('serverCPUStreamSeconds'), 2)}; "
          f"{spread(g('serverCPUSubmitSeconds'), 2)} |")
        w(f"| **server peak RSS, MB** (before) | {spread(g('serverPeakRSSBytes'), 1, 1 / MB)} "
          f"({spread(g('serverRSSBeforeBytes'), 1, 1 / MB)}) |")
        w(f"| worker CPU, s / peak RSS, MB | {spread(g('workerCPUSeconds'), 2)} / {spread(g('workerPeakRSSBytes'), 1, 1 / MB)} |")
        w(f"| load generator CPU, s | {spread(g('clientCPUSeconds'), 2)} |")
        w("")
        bad = {}
        for d in streams:
            for outcome, n in d.get("streamOutcomes", {}).items():
                if outcome != "completed":
                    bad[outcome] = bad.get(outcome, 0) + n
            for outcome, n in d.get("submitErrors", {}).items():
                bad[f"submit {outcome}"] = bad.get(f"submit {outcome}", 0) + n
        if bad:
            w(f"Streams that did not complete, all runs: {', '.join(f'`{k[:200]}` × {v}' for k, v in sorted(bad.items()))}.")
            w("")


def scenario7(w, settings):
    """Section 7: task-augmented MCP calls through `pollster mcp --http`."""
    w("## 7. MCP server (`pollster mcp --http`)")
    w("")
    data = runs("s7-*.json")
    if not data:
        w("Not run.")
        w("")
        return
    w(f"`pollster-bench mcp-tasks`: one MCP session on Streamable HTTP (JSON-RPC POSTed by AsyncHTTPClient; each "
      f"answer is a short SSE stream), {settings.get('mcpCalls', 0):,} task-augmented `tools/call` "
      "(`params.task`) sent at once, then each task polled with `tasks/get` every 1 s (the `pollInterval` the server "
      "advertises) until `completed`. The server is the release `pollster mcp --http` on a fresh SQLite file with its "
      f"in-process worker (16 tasks at a time, not configurable from the CLI) and `--poll-interval "
      f"{settings.get('mcpPollInterval', '?')}`; each mock job ends on its first status poll with a 4 KiB output. "
      "*Completion* = `tools/call` sent → the `tasks/get` that saw `completed`.")
    w("")
    g = lambda key: [d.get(key) for d in data]
    h = lambda key, p: [d.get(key, {}).get(p) for d in data]
    w("| figure | median (min–max) |")
    w("|---|---:|")
    w(f"| tasks completed | {spread(g('completed'), 0)} |")
    w(f"| **wall time, s** | {spread(g('wallSeconds'), 1)} |")
    w(f"| `tools/call` (create) latency p50 / p99, ms | {spread(h('callLatencyMs', 'p50'), 1)} / {spread(h('callLatencyMs', 'p99'), 1)} |")
    w(f"| **`tasks/get` latency p50 / p99, ms** | {spread(h('getLatencyMs', 'p50'), 2)} / {spread(h('getLatencyMs', 'p99'), 2)} |")
    w(f"| `tasks/get` requests | {spread(g('tasksGet'), 0)} |")
    w(f"| completion p50 / p99, s | {spread(h('completionMs', 'p50'), 1, 1 / 1000)} / {spread(h('completionMs', 'p99'), 1, 1 / 1000)} |")
    w(f"| **server CPU, s** | {spread(g('serverCPUSeconds'), 2)} |")
    w(f"| **server peak RSS, MB** (before) | {spread(g('serverPeakRSSBytes'), 1, 1 / MB)} ({spread(g('serverRSSBeforeBytes'), 1, 1 / MB)}) |")
    w(f"| load generator CPU, s | {spread(g('clientCPUSeconds'), 2)} |")
    w("")
    bad = {}
    for d in data:
        for outcome, n in d.get("outcomes", {}).items():
            if outcome != "completed":
                bad[outcome] = bad.get(outcome, 0) + n
    if bad:
        w(f"Calls that did not complete, all runs: {', '.join(f'`{k[:200]}` × {v}' for k, v in sorted(bad.items()))}.")
        w("")


def main():
    settings = load(os.path.join(RESULTS, "settings.json"))
    # What the document being replaced measured: carried-over sections and the "before" columns.
    old = previous_document()
    total = maybe(os.path.join(RESULTS, "total.json")) or {}
    build = maybe(os.path.join(RESULTS, "build.json")) or {}
    info = machine()
    # Runs record what they measured; older result folders fall back to the tree as it is now.
    if "commit" in settings:
        info["Commit"] = settings["commit"]
    if "started" in settings:
        info["Date"] = settings["started"]
    summary = []  # (target, measured, verdict)
    out = []
    w = out.append

    w("# Benchmarks")
    w("")
    w("Generated by `Benchmarks/run` (a separate SwiftPM package in `Benchmarks/`, release build). "
      "Do not edit the figures by hand: re-run it. Section 3 belongs to `Benchmarks/peers/` and is "
      "carried over as it is, and so is the section of a scenario that a run left out (`--only`), marked "
      "with the date and commit of its own run; *Findings and fixes* comes from `Benchmarks/findings.md`.")
    w("")
    if settings.get("quick"):
        w("> **Quick run** (`--quick`): small sizes and one repetition; a smoke test, not the figures of record.")
        w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    for key, value in info.items():
        w(f"| {key} | {value} |")
    w(f"| Run | {'quick' if settings.get('quick') else 'full'}; {settings['repeat']} repetition(s) of each heavy scenario; "
      f"{total.get('totalSeconds', '?')} s in all (build {build.get('buildSeconds', '—')} s) |")
    w("")
    loads = []
    if os.path.exists(os.path.join(RESULTS, "loads.jsonl")):
        with open(os.path.join(RESULTS, "loads.jsonl")) as handle:
            loads = [json.loads(line) for line in handle if line.strip()]
    if loads:
        values = [l["loadAverage"] for l in loads]
        w(f"1-minute load average when the scenarios started: {min(values):.1f}–{max(values):.1f} "
          f"(median {statistics.median(values):.1f}; 2 cores). Other work on the machine during the run "
          "(other engineers' builds and tests share it) raises CPU-bound latencies; compare with care.")
        w("")
    w("Spread: *median (min–max)* over the repetitions, unless the column says otherwise. All "
      "servers (mock provider, PostgreSQL) run on the same 2 cores as the client, in processes of their own.")
    w("")
    summary_at = len(out)

    # ----- 1 -------------------------------------------------------------------------------
    rows = scenario1()
    w("## 1. Per-poll engine cost")
    w("")
    w("In-process, [ordo-one/benchmark](https://github.com/ordo-one/benchmark) (`Benchmarks/Benchmarks/PollCost`). "
      "One poll = `JSONParser.parse` of the recorded status body + `StatusClassifier.classify` with the method's "
      "compiled `PollingPlan` (from `adapters/`, bound to the task id) + `PollSchedule.delay` for the next poll. "
      "The bodies are the status responses of `Tests/Fixtures/<provider>/success.json` (every exchange after the "
      "submit up to the first terminal one), cycled in order. Each measured iteration runs 1,000 polls. Request building, signing (Tencent) and the network are not included.")
    w("")
    worst = None
    worst_wall = None
    if rows:
        w("| provider (tool, status responses) | CPU µs/poll p50 | CPU p25–p75 | wall µs/poll p50 | wall p25–p75 | fastest iteration (wall) | mallocs/poll |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for name in sorted(rows):
            metrics = rows[name]
            wall, cpu, mallocs = metrics.get("wall"), metrics.get("threadCPU"), metrics.get("mallocs")
            p50 = percentile(cpu, 50)
            if p50 is not None:
                worst = p50 if worst is None else max(worst, p50)
            wall50 = percentile(wall, 50)
            if wall50 is not None:
                worst_wall = wall50 if worst_wall is None else max(worst_wall, wall50)
            fmt = lambda v: "—" if v is None else f"{v:.2f}"
            w(f"| {name} | **{fmt(p50)}** | {fmt(percentile(cpu, 25))}–{fmt(percentile(cpu, 75))} "
              f"| {fmt(wall50)} | {fmt(percentile(wall, 25))}–{fmt(percentile(wall, 75))} | {fmt(percentile(wall, 0))} "
              f"| {'—' if mallocs is None else f'{percentile(mallocs, 50):.0f}'} |")
        w("")
        w("**CPU** is the benchmark thread's own CPU time (`CLOCK_THREAD_CPUTIME_ID`, ns resolution) per poll: "
          "unlike the wall clock it does not count time spent waiting for a core, which matters on a shared "
          "2-core machine. The target is judged on it; the wall clock is shown beside it.")
        w("")
        w("Percentiles are over the measured iterations (each the mean of 1,000 polls); the harness scales them "
          "to one poll.")
        w("")
    else:
        w("Not run.")
        w("")
    summary.append(("Engine overhead per poll ≤ 20 µs median",
                    "—" if worst is None else f"{worst:.2f} µs CPU (slowest provider's median; wall {worst_wall:.2f} µs)",
                    verdict(None if worst is None else worst <= TARGET_POLL_US)))

    # ----- 2 -------------------------------------------------------------------------------
    w("## 2. Many in-flight tasks")
    w("")
    w("`pollster-bench inflight`: N concurrent `Pollster.invoke` calls (one child task each) against the mock provider "
      "(`pollster-bench mock`, a separate process on loopback). Each job runs T seconds at the mock "
      "(`MockJobScript(duration:)`), is polled at a fixed interval (`InvokeOptions.pollInterval`) and ends with a 4 KiB "
      "output downloaded into memory. The N starts are spread evenly over one poll interval (jobs that all start in the "
      "same millisecond poll in lockstep forever, which no real workload does). The tool is "
      "`Benchmarks/adapters/bench.yaml` (HeyGen's protocol, no `limits`); the client is one process with the default "
      "`HTTPClientTransport` (AsyncHTTPClient, 64 connections per host, so file descriptors stay far below `ulimit -n`).")
    w("")
    w("Cases marked `--batch` run the N jobs through `Pollster.invokeEach` instead: 100 calls (or as many as the "
      "heading says) started spread over one interval like the single jobs, each holding its waiting jobs as data in one scheduler (no task per job); the "
      "harness traces those jobs by provider job id instead of a task-local. Cases marked `--shared` make one `invoke` "
      "per job, as the others, while `Pollster.run()` hosts the engine's shared scheduler (as `pollster serve`, `mcp` "
      "and `worker` do): each job waits between its submit and its result in that scheduler's heap, polled by its loop, "
      "and its polls are traced by provider job id too.")
    w("")
    w("- **CPU per 1,000 polls**: the client process's user + system CPU (`getrusage`) over the whole run, divided by "
      "the number of status polls; submits and downloads (one each per job) are included in the CPU.")
    w("- **Peak RSS**: `VmHWM` of the client at the end. **RSS per in-flight task** = (peak − RSS before the first "
      "job) ÷ the largest number of jobs in flight at once (submitted and not finished, sampled every 250 ms).")
    w("- **Heap per in-flight job** = (malloc heap in use when the most jobs were in flight − before the first job) ÷ "
      "that number of jobs, from glibc's `mallinfo2` (`uordblks + hblkhd`, every arena): what the process holds, "
      "without the free pages RSS also counts. It includes a share of what the run holds whatever the number of jobs "
      "(connection buffers, polls and answers in flight). After the run the harness measures, in the same process, "
      "the heap of one **parsed submit answer** (the mock's, parsed as the engine keeps it in the job's template "
      "context) and **its own per-job heap** (the caller's input and the job's trace), each the median of three "
      "rounds of 10,000 held at once. **Engine heap per waiting job beyond its submit answer** = heap per job − "
      "those two: the figure of issue 16's target.")
    w("- **Lateness** of a poll = when the engine handed the status request to the transport − (when the previous "
      "poll's response, or the submit response, was fully read + the interval). It contains the engine's own work "
      "between the two (parse, classify, schedule) and timer/executor delay. Measured by a `Transport` wrapper "
      "(`TracingTransport`) that timestamps every request of the job in a task-local `JobTrace` (a few instants per job "
      "and two shared HDR histograms); nothing in `Sources/` is instrumented. The harness keeps its own per-job "
      "frames small (`InFlightCommand.job`, out of line), since its memory is counted too.")
    w("- **Poll round trip** = request handed to the transport → response fully read (polls go through "
      "`Transport.send`, which hands over the whole answer at once); it includes waiting for "
      "one of the pooled connections and the mock's own time, so it shows queueing that lateness does not.")
    w("- **Completion detection** = end of the poll that saw `completed` − (end of the submit response + T): how long "
      "after the job finished at the provider the client knew. With a fixed interval it lies between 0 and one "
      "interval plus the poll's round trip.")
    w("")
    cases = [(c.split(":") + [""])[:4] for c in settings["inflightCases"].split()]
    any2 = False
    for count, interval, job_seconds, mode in cases:
        name = f"{count}-{interval}-{mode}" if mode else f"{count}-{interval}"
        data = [d for d in runs(f"s2-{name}-*.json") if mode or not d.get("mode", "invoke").startswith("invokeEach")]
        if not data:
            continue
        any2 = True
        count_i = int(count)
        g = lambda key: [d.get(key) for d in data]
        h = lambda key, p: [d.get(key, {}).get(p) for d in data]
        calls = mode[len("batch"):] or "100"
        if mode == "shared":
            through = " — one `invoke` per job while `Pollster.run()` hosts the shared scheduler (`--shared`)"
        elif mode:
            through = f" — through `invokeEach`, {calls} calls started spread over one interval, no task per job (`--batch`)"
        else:
            through = ""
        heading = f"### N = {count_i:,}, poll every {interval} s, jobs of {job_seconds} s ({count_i / float(interval):,.0f} polls/s asked for)"
        w(heading + through)
        w("")
        # The same case in the document this run replaces; a batch case without one of its own is
        # compared with the one-invoke-per-job case it replaces.
        before, measured = old["tables"].get(heading + through) or old["tables"].get(heading) or ({}, "")
        if before and through and heading + through not in old["tables"]:
            measured += ", one `invoke` per job"
        table_rows = []
        w_row = table_rows.append
        w_row(f"| jobs succeeded / failed | {spread(g('succeeded'), 0)} / {spread([sum(d.get('errors', {}).values()) for d in data], 0)} |")
        w_row(f"| largest number in flight at once | {spread(g('maxInFlight'), 0)} |")
        w_row(f"| status polls (polls/s achieved) | {spread(g('polls'), 0)} ({spread([d['polls'] / d['wallSeconds'] for d in data], 0)}) |")
        w_row(f"| wall time, s | {spread(g('wallSeconds'), 1)} |")
        w_row(f"| client CPU, s (user + system) | {spread([(d['cpuUserSeconds'] + d['cpuSystemSeconds']) for d in data], 2)} |")
        w_row(f"| **client CPU per 1,000 polls, s** | {spread(g('cpuSecondsPer1000Polls'), 3)} |")
        w_row(f"| mock server CPU, s | {spread(g('mockCPUSeconds'), 2)} |")
        w_row(f"| RSS before the first job, MB | {spread(g('baselineRSSBytes'), 1, 1 / MB)} |")
        w_row(f"| **peak RSS, MB** | {spread(g('peakRSSBytes'), 1, 1 / MB)} |")
        w_row(f"| **RSS per in-flight task, KB** | {spread(g('rssPerInFlightTaskBytes'), 1, 1 / 1024)} |")
        engine_heap = [engine_heap_per_job(d) for d in data]
        if any(v is not None for v in engine_heap):
            w_row(f"| heap per in-flight job, KB | {spread(g('heapPerInFlightJobBytes'), 2, 1 / 1024)} |")
            w_row(f"| parsed submit answer / harness per job, KB | {spread(g('submitAnswerHeapBytes'), 2, 1 / 1024)} / "
                  f"{spread(g('harnessHeapPerJobBytes'), 2, 1 / 1024)} |")
            w_row(f"| **engine heap per waiting job beyond its submit answer, KB** | {spread(engine_heap, 2, 1 / 1024)} |")
        w_row(f"| lateness p50, ms | {spread(h('latenessMs', 'p50'), 2)} |")
        w_row(f"| **lateness p99, ms** | {spread(h('latenessMs', 'p99'), 2)} |")
        w_row(f"| lateness max, ms | {spread(h('latenessMs', 'max'), 1)} |")
        w_row(f"| poll round trip p50 / p99, ms | {spread(h('pollRoundTripMs', 'p50'), 2)} / {spread(h('pollRoundTripMs', 'p99'), 2)} |")
        w_row(f"| completion detection p50 / p99, ms | {spread(h('completionDetectionMs', 'p50'), 1)} / {spread(h('completionDetectionMs', 'p99'), 1)} |")
        w_row(f"| failed requests (retried by the engine) | {spread(g('failedRequests'), 0)} |")
        w_row(f"| open file descriptors, max | {spread(g('maxOpenDescriptors'), 0)} |")
        if before:
            w(f"| figure | median (min–max) | before ({measured}) |")
            w("|---|---:|---:|")
            for row in table_rows:
                figure = row.split(" | ")[0].lstrip("| ")
                w(f"{row} {before.get(figure.strip('*'), '—')} |")
        else:
            w("| figure | median (min–max) |")
            w("|---|---:|")
            for row in table_rows:
                w(row)
        w("")
        errors = {}
        for d in data:
            for code, n in d.get("errors", {}).items():
                errors[code] = errors.get(code, 0) + n
        if errors:
            first = next((d.get("firstError") for d in data if d.get("firstError")), "")
            w(f"Errors over all runs: {', '.join(f'{k} × {v}' for k, v in sorted(errors.items()))}. First: `{first[:300]}`")
            w("")
        if count_i in (10000, 100000):
            rss = median(g("peakRSSBytes"))
            late = median(h("latenessMs", "p99"))
            cpu = median(g("cpuSecondsPer1000Polls"))
            ok_errors = all(not d.get("errors") for d in data)
            limit = TARGET_INFLIGHT_RSS_MB if count_i == 10000 else TARGET_100K_RSS_MB
            via = {"": "", "shared": ", invoke with run()"}.get(mode, ", invokeEach")
            label = f"{count_i:,} in flight (poll every {interval} s{via})"
            summary.append((f"{label}: RSS ≤ {limit:.0f} MB", f"{rss / MB:.0f} MB peak" if rss else "—",
                            verdict(None if rss is None else rss / MB <= limit and ok_errors)))
            summary.append((f"{label}: poll lateness p99 ≤ 50 ms", f"{late:.1f} ms" if late is not None else "—",
                            verdict(None if late is None else late <= TARGET_LATENESS_P99_MS)))
            engine = median(engine_heap)
            if engine is not None and mode.startswith("batch"):
                summary.append((f"{label}: a waiting job ≤ 1 KB of heap beyond its submit answer (issue 16)",
                                f"{engine / 1024:.2f} KB",
                                verdict(engine / 1024 <= TARGET_WAITING_JOB_KB)))
            summary.append((f"{label}: client CPU per poll ≤ 0.25 ms (issue 16)",
                            f"{cpu:.2f} ms" if cpu is not None else "—",
                            verdict(None if cpu is None else cpu <= TARGET_CPU_PER_POLL_MS)))
    if not any2:
        w("Not run.")
        w("")
    if not any(int(c[0]) == 10000 for c in cases):
        summary.append(("10,000 in flight: RSS ≤ 150 MB, lateness p99 ≤ 50 ms", "not run at N = 10,000 (quick run)", verdict(None)))

    # ----- 3 (carried over) ------------------------------------------------------------------
    peers = f"{PEERS_HEADING}\n\n(Filled in by the peers benchmark in `Benchmarks/peers/`.)\n"
    if os.path.exists(OUTPUT):
        with open(OUTPUT) as handle:
            text = handle.read()
        match = re.search(r"^## 3\. Peers side by side.*?(?=^## (?!3\.)|\Z)", text, re.S | re.M)
        if match and match.group(0).strip() != PEERS_HEADING:
            peers = match.group(0).rstrip() + "\n"
    w(peers.rstrip())
    w("")

    # ----- 4 -------------------------------------------------------------------------------
    w("## 4. Download throughput")
    w("")
    w(f"`pollster-bench download`: one job at the mock whose output is {settings['fileBytes'] / MB:.0f} MiB (into a file) or "
      f"{settings['memoryBytes'] / MB:.0f} MiB (into memory), then `curl -o` of the same URL (a file / `/dev/null`, and a file on tmpfs for the in-memory case). "
      "Pollster's time is the `GET` of the output alone (request sent → body fully read, SHA-256, MIME sniffing and "
      "the file write included), taken by `TracingTransport`; curl's is its `time_total`. Peak RSS is `VmHWM` of each "
      "process (`/usr/bin/time -v` for curl). Runs alternate Pollster and curl.")
    w("")
    any4 = False
    for mode, size_key in (("file", "fileBytes"), ("memory", "memoryBytes")):
        ours = runs(f"s4-{mode}-pollster-*.json")
        theirs = runs(f"s4-{mode}-curl-*.json")
        if not ours:
            continue
        any4 = True
        ratios = [o["bytesPerSecond"] / t["bytesPerSecond"] for o, t in zip(ours, theirs)]
        w(f"### {settings[size_key] / MB:.0f} MiB into {'a file' if mode == 'file' else 'memory'}")
        w("")
        w("| figure | Pollster | curl |")
        w("|---|---:|---:|")
        w(f"| throughput, MB/s | {spread([o['bytesPerSecond'] for o in ours], 0, 1 / MB)} | {spread([t['bytesPerSecond'] for t in theirs], 0, 1 / MB)} |")
        w(f"| peak RSS, MB | {spread([o['peakRSSBytes'] for o in ours], 1, 1 / MB)} | {spread([t['peakRSSBytes'] for t in theirs], 1, 1 / MB)} |")
        w(f"| client CPU of the whole invocation, s | {spread([o['cpuSeconds'] for o in ours], 2)} | |")
        w(f"| **Pollster ÷ curl throughput** | {spread(ratios, 2)} | |")
        kept = runs(f"s4-{mode}-curlshm-*.json") if mode == "memory" else []
        kept_ratios = [o["bytesPerSecond"] / t["bytesPerSecond"] for o, t in zip(ours, kept)]
        if kept:
            w(f"| curl into a tmpfs file (`/dev/shm`, the bytes kept in memory), MB/s | | {spread([t['bytesPerSecond'] for t in kept], 0, 1 / MB)} |")
            w(f"| **Pollster ÷ curl into tmpfs** | {spread(kept_ratios, 2)} | |")
        w("")
        ratio = median(ratios)
        if mode == "file":
            rss = median([o["peakRSSBytes"] for o in ours])
            summary.append((f"Download ≥ 0.9 × curl (into a file, {settings[size_key] / MB:.0f} MiB)",
                            f"{ratio:.2f} × curl" if ratio else "—", verdict(None if ratio is None else ratio >= TARGET_DOWNLOAD_RATIO)))
            summary.append((f"Streaming to a file: peak RSS ≤ 50 MB", f"{rss / MB:.1f} MB" if rss else "—",
                            verdict(None if rss is None else rss / MB <= TARGET_FILE_RSS_MB)))
        else:
            summary.append((f"Download into memory ({settings[size_key] / MB:.0f} MiB), vs curl to /dev/null",
                            f"{ratio:.2f} × curl" if ratio else "—", verdict(None if ratio is None else ratio >= TARGET_DOWNLOAD_RATIO)))
            if kept_ratios:
                kept_ratio = median(kept_ratios)
                summary.append((f"Download into memory ({settings[size_key] / MB:.0f} MiB), vs curl into tmpfs",
                                f"{kept_ratio:.2f} × curl", verdict(kept_ratio >= TARGET_DOWNLOAD_RATIO)))
    many_file = runs("s4-many-file-pollster-*.json")
    many_memory = runs("s4-many-memory-pollster-*.json")
    many_curl = runs("s4-many-curl-*.json")
    if many_file:
        any4 = True
        count = settings.get("manyCount", many_file[0]["count"])
        size = settings.get("manyBytes", MB) / MB
        w(f"### {count} outputs of {size:.0f} MiB at once")
        w("")
        w(f"`pollster-bench downloads`: {count} jobs submitted together through `invokeEach`, each finishing on its first "
          f"poll with one {size:.0f} MiB output; all outputs download at once, into files or into memory (each dropped once "
          "its job's outcome is counted). Pollster's time is from the first download's request to the last one's end "
          "(`DownloadWindow`, a `Transport` wrapper); its CPU is the whole `invokeEach`'s, submits and polls included. curl fetches the same URL {count} times with `--parallel` into files, then "
          "`openssl dgst -sha256` hashes them: together, the floor for what Pollster does per output (it hashes every "
          "output). CPU is the processes' own (curl + openssl for the floor), per job.")
        w("")
        w("| figure | Pollster, files | Pollster, memory | curl --parallel + openssl sha256 |")
        w("|---|---:|---:|---:|")
        w(f"| throughput, MB/s | {spread([r['bytesPerSecond'] for r in many_file], 0, 1 / MB)} | "
          f"{spread([r['bytesPerSecond'] for r in many_memory], 0, 1 / MB)} | {spread([r['bytesPerSecond'] for r in many_curl], 0, 1 / MB)} |")
        w(f"| CPU per job, ms | {spread([r['cpuMsPerJob'] for r in many_file], 2)} | "
          f"{spread([r['cpuMsPerJob'] for r in many_memory], 2)} | {spread([r['cpuMsPerJob'] for r in many_curl], 2)} |")
        w(f"| peak RSS, MB | {spread([r['peakRSSBytes'] for r in many_file], 1, 1 / MB)} | "
          f"{spread([r['peakRSSBytes'] for r in many_memory], 1, 1 / MB)} | {spread([r['peakRSSBytes'] for r in many_curl], 1, 1 / MB)} (curl) |")
        w(f"| RSS at start, MB | {spread([r['baselineRSSBytes'] for r in many_file], 1, 1 / MB)} | "
          f"{spread([r['baselineRSSBytes'] for r in many_memory], 1, 1 / MB)} | |")
        w(f"| jobs succeeded | {spread([r['succeeded'] for r in many_file], 0)} | {spread([r['succeeded'] for r in many_memory], 0)} | |")
        ratios = [o["bytesPerSecond"] / t["bytesPerSecond"] for o, t in zip(many_file, many_curl)]
        cpu_ratios = [o["cpuMsPerJob"] / t["cpuMsPerJob"] for o, t in zip(many_file, many_curl)]
        w(f"| **Pollster (files) ÷ curl: throughput** | {spread(ratios, 2)} | | |")
        w(f"| **Pollster (files) ÷ curl + SHA-256: CPU** | {spread(cpu_ratios, 2)} | | |")
        w("")
        rss = median([r["peakRSSBytes"] for r in many_file])
        summary.append((f"Outputs at once ({count} × {size:.0f} MiB) into files: peak RSS ≤ {TARGET_MANY_RSS_MB:.0f} MB",
                        f"{rss / MB:.1f} MB", verdict(rss / MB <= TARGET_MANY_RSS_MB)))
        ratio = median(ratios)
        summary.append((f"Outputs at once ({count} × {size:.0f} MiB) into files: ≥ 0.9 × curl",
                        f"{ratio:.2f} × curl", verdict(ratio >= TARGET_DOWNLOAD_RATIO)))
        cpu_ratio = median(cpu_ratios)
        summary.append((f"Outputs at once ({count} × {size:.0f} MiB): CPU ≤ 1.25 × curl + SHA-256",
                        f"{cpu_ratio:.2f} ×", verdict(cpu_ratio <= TARGET_MANY_CPU_RATIO)))
    if not any4:
        w("Not run.")
        w("")

    # ----- 5 -------------------------------------------------------------------------------
    w("## 5. PostgreSQL workers")
    w("")
    w(f"`pollster-bench workers`: {settings['workerTasks']:,} queued durable tasks in `PostgresTaskStore` (a throwaway "
      "PostgreSQL cluster from `initdb`/`pg_ctl` on loopback, durable defaults: `fsync` and `synchronous_commit` on), "
      f"then 1, 2 or 4 worker processes (`TaskWorker`, concurrency {settings['workerConcurrency']} each, default lease "
      "and idle delay; each process hosts the engine's shared scheduler with `Pollster.run()`, as `pollster worker` "
      "does — since 2026-12-04, before which the jobs waited in their drivers' tasks). Each task is a mock job that finishes on its first poll (poll interval 0.1 s) with a 1 KiB "
      "output written to a file. **Tasks/s** = 80 % of the tasks ÷ the time between the 10th and the 90th percentile "
      "of their `finishedAt` (the steady state); *overall* = all tasks ÷ (last `finishedAt` − start of the workers). "
      "CPU is per run, summed over processes.")
    w("")
    data5 = {}
    for workers in [int(c) for c in settings["workerCounts"].split()]:
        found = runs(f"s5-{workers}-*.json")
        if found:
            data5[workers] = found
    if data5:
        w("| workers | tasks/s (steady) | tasks/s (overall) | succeeded | worker CPU, s | PostgreSQL CPU, s | mock CPU, s | worker peak RSS, MB |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for workers, found in data5.items():
            g = lambda key: [d.get(key) for d in found]
            w(f"| {workers} | {spread(g('tasksPerSecond'), 0)} | {spread(g('tasksPerSecondOverall'), 0)} "
              f"| {spread([d.get('states', {}).get('succeeded', 0) for d in found], 0)} | {spread(g('workerCPUSeconds'), 1)} "
              f"| {spread(g('postgresCPUSeconds'), 1)} | {spread(g('mockCPUSeconds'), 1)} | {spread(g('workerPeakRSSBytes'), 1, 1 / MB)} |")
        w("")
        rates = {k: median([d.get("tasksPerSecond") for d in v]) for k, v in data5.items()}
        text = ", ".join(f"{k}: {v:.0f}/s" for k, v in rates.items() if v)
        first = rates.get(min(rates))
        best = max(rates.values())
        summary.append(("PostgreSQL workers: throughput scales until the database is the limit", text,
                        "see section 5" if first and best > first * 1.2 else "**flat** — see section 5"))
    else:
        w("Not run.")
        w("")

    scenario6(w, settings)
    scenario7(w, settings)

    # ----- findings ----------------------------------------------------------------------------
    findings = os.path.join(HERE, "findings.md")
    if os.path.exists(findings):
        with open(findings) as handle:
            w(handle.read().rstrip())
        w("")
    w("## How to re-run")
    w("")
    w("```sh")
    w("Benchmarks/run            # everything, writes this file (about 15 minutes after the first build)")
    w("Benchmarks/run --quick    # a smoke run with small sizes")
    w("Benchmarks/run --only \"6 7\"   # some scenarios; the other sections are carried over")
    w("Benchmarks/run --only \"2 4\" --no-doc   # raw JSON in Benchmarks/.build/results/ only")
    w("```")
    w("")
    w("The first build of the benchmark package (its own `Benchmarks/.build`) compiles every dependency in "
      "release mode and takes a long time on 2 cores; later runs only rebuild what changed.")
    w("")

    ran = set(settings.get("scenarios", "1 2 4 5").split())
    rows = [f"| {a} | {b} | {c} |" for a, b, c in summary]
    rows = [r for r in rows if target_scenario(r) in ran or target_scenario(r) not in old["targets"]]
    for scenario in SCENARIOS:
        if scenario not in ran:
            rows += old["targets"].get(scenario, [])
    rows.sort(key=lambda r: SCENARIOS.index(target_scenario(r)) if target_scenario(r) in SCENARIOS else 99)
    table = ["## Targets (shared/design.md, *Performance budget*)", "", "| target | measured (median) | |", "|---|---|---|"]
    table += rows
    table.append("")
    out[summary_at:summary_at] = table
    text = "\n".join(out).rstrip() + "\n"
    for scenario in SCENARIOS:
        if scenario not in ran and scenario in old["sections"]:
            text = re.sub(rf"^## {scenario}\. .*?(?=^## |\Z)", lambda _: old["sections"][scenario], text,
                          count=1, flags=re.S | re.M)
    with open(OUTPUT, "w") as handle:
        handle.write(text.rstrip() + "\n")


def engine_heap_per_job(run):
    """Heap per in-flight job less the parsed submit answer and the harness's own, in bytes."""
    parts = [run.get(k) for k in ("heapPerInFlightJobBytes", "submitAnswerHeapBytes", "harnessHeapPerJobBytes")]
    return None if None in parts else parts[0] - parts[1] - parts[2]


def target_scenario(row):
    """The scenario a row of the targets table (`| target | … |`) belongs to, if known."""
    first = row.strip("| ")
    return next((k for k, prefixes in TARGET_PREFIXES.items() if first.startswith(prefixes)), None)


def previous_document():
    """What the document being replaced measured: its scenario sections and target rows, each
    section marked with the date and commit of its run, to carry over those this run left out."""
    found = {"sections": {}, "targets": {}, "tables": {}}
    if not os.path.exists(OUTPUT):
        return found
    with open(OUTPUT) as handle:
        text = handle.read()
    date = re.search(r"^\| Date \| (.*?) \|$", text, re.M)
    commit = re.search(r"^\| Commit \| (.*?) \|$", text, re.M)
    note = (f"*Not re-run by the latest run: measured on {date.group(1) if date else '?'}, "
            f"commit {commit.group(1) if commit else '?'}.*")
    for match in re.finditer(r"^## (\d)\. [^\n]*\n.*?(?=^## |\Z)", text, re.S | re.M):
        section = match.group(0)
        if match.group(1) == "2":
            found["tables"] = previous_tables(section, date.group(1) if date else "?", commit.group(1) if commit else "?")
        if match.group(1) == "3" or "\nNot run.\n" in section:
            continue
        if "*Not re-run by the latest run" not in section:
            heading, rest = section.split("\n", 1)
            section = f"{heading}\n\n{note}\n{rest}"
        found["sections"][match.group(1)] = section
    targets = re.search(r"^## Targets.*?(?=^## |\Z)", text, re.S | re.M)
    for line in (targets.group(0).splitlines() if targets else []):
        scenario = target_scenario(line) if line.startswith("| ") else None
        if scenario:
            found["targets"].setdefault(scenario, []).append(line)
    return found


def previous_tables(section, date, commit):
    """The scenario 2 tables of the replaced document: heading → ({figure: its median (min–max)},
    "commit, date" of the run that measured them)."""
    carried = re.search(r"measured on (.*?), commit (.*?)\.\*", section)
    if carried:
        date, commit = carried.group(1), carried.group(2)
    tables = {}
    for match in re.finditer(r"^(### [^\n]*)\n(.*?)(?=^#{2,3} |\Z)", section, re.S | re.M):
        figures = {}
        for line in match.group(2).splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            if len(cells) >= 2 and line.startswith("| ") and cells[0] != "figure" and not cells[0].startswith("---"):
                figures[cells[0].strip("*")] = cells[1]
        tables[match.group(1)] = (figures, f"commit {commit}, {date.split(' ')[0]}")
    return tables


main()
