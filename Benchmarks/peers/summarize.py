#!/usr/bin/env python3
"""Turns the runs of Benchmarks/peers/run into one JSON line each, then into the markdown of
section "## 3. Peers side by side" of docs/benchmarks.md. Standard library only.

  summarize.py record --driver D --jobs N --repeat R --time time.txt [--time more.txt] \
      --out out.json --stats-before a.json --stats-after b.json --mock-cpu "t0 t1"  >> results.jsonl
  summarize.py report results.jsonl --meta meta.json [--doc docs/benchmarks.md]
  summarize.py report results.jsonl --meta meta.json --subsection TITLE [--doc docs/benchmarks.md]

`report` rewrites section 3 up to its first `### ` subsection and keeps the subsections;
`--subsection` writes (or replaces) the subsection `### TITLE` at the end of section 3 and
leaves the rest alone (the `--tls` runs: issue 16's workload, with the floor row).
"""

import argparse
import json
import re
import statistics
import sys

HEADING = "## 3. Peers side by side"

# (driver, what it is, the Pollster driver it is compared with)
DRIVERS = [
    ("pollster-replicate", "Pollster, replicate.create_prediction", None),
    ("pollster-fal", "Pollster, fal.fast_sdxl", None),
    ("pollster-runway", "Pollster, runway.text_to_image", None),
    ("replicate", "replicate-python: async_create + async_wait + FileOutput.aread", "pollster-replicate"),
    ("replicate-pool", "replicate-python, pool sized to N", "pollster-replicate"),
    ("httpx", "asyncio + httpx loop, Replicate-shaped endpoints", "pollster-replicate"),
    ("httpx-pool", "asyncio + httpx loop, pool sized to N", "pollster-replicate"),
    ("fal", "fal-client: subscribe_async + httpx download", "pollster-fal"),
    ("runway-retrieve", "runwayml: create + tasks.retrieve loop + httpx download", "pollster-runway"),
    ("runway-retrieve-pool", "runwayml tasks.retrieve loop, pool sized to N", "pollster-runway"),
    ("runway-wait", "runwayml: create + wait_for_task_output (own 6 s ± 1.5 s) + httpx download", "pollster-runway"),
    ("floor", "**floor**: curl --parallel + openssl dgst -sha256 of the same N outputs (downloads only)", None),
]
POLLSTER = [d for d, _, compared in DRIVERS if d.startswith("pollster-")]
PYTHON = [d for d, _, compared in DRIVERS if compared is not None]


def parse_time(path):
    """The fields of GNU time -v that matter: user, sys, max RSS (KiB), wall, exit status."""
    text = open(path).read()

    def field(label):
        match = re.search(r"^\s*" + re.escape(label) + r":\s*(.+)$", text, re.MULTILINE)
        return match.group(1).strip() if match else None

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)") or "0:0"
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    status = field("Exit status")
    return {
        "user": float(field("User time (seconds)") or 0),
        "sys": float(field("System time (seconds)") or 0),
        "max_rss_kib": int(field("Maximum resident set size (kbytes)") or 0),
        "wall": seconds,
        "exit": int(status) if status is not None else (1 if "Command terminated by signal" in text else 0),
        "voluntary_switches": int(field("Voluntary context switches") or 0),
    }


def load_json(path):
    try:
        with open(path) as handle:
            text = handle.read().strip().splitlines()
        return json.loads(text[-1]) if text else {}
    except (OSError, ValueError):
        return {}


def combine(timings):
    """Several processes run one after the other (the floor: curl, then openssl): CPU and wall
    add up, peak RSS is the largest."""
    first = dict(timings[0])
    for other in timings[1:]:
        for key in ("user", "sys", "wall", "voluntary_switches"):
            first[key] += other[key]
        first["max_rss_kib"] = max(first["max_rss_kib"], other["max_rss_kib"])
        first["exit"] = first["exit"] or other["exit"]
    return first


def record(args):
    parts = [parse_time(path) for path in args.time]
    timing = combine(parts)
    out = load_json(args.out)
    before, after = load_json(args.stats_before), load_json(args.stats_after)
    delta = {key: after.get(key, 0) - before.get(key, 0) for key in ("submissions", "polls", "result_fetches", "downloads")}
    mock0, mock1 = (float(x) for x in args.mock_cpu.split())
    row = {
        "driver": args.driver,
        "jobs": args.jobs,
        "repeat": args.repeat,
        **timing,
        "cpu": timing["user"] + timing["sys"],
        "ok": out.get("ok", 0),
        "failed": out.get("failed", args.jobs - out.get("ok", 0)),
        "first_error": out.get("first_error") or (None if out else "no summary line (crashed?)"),
        "mock": delta,
        "mock_cpu": round(mock1 - mock0, 3),
        "load": float(args.load),
    }
    if len(parts) > 1:
        row["parts_cpu"] = [round(part["user"] + part["sys"], 3) for part in parts]
    print(json.dumps(row, sort_keys=True))


def median_spread(values, digits):
    """'median (min–max)', or just the value for one run."""
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def cpu_ms(row):
    """Client CPU per task, ms."""
    return 1000 * row["cpu"] / row["jobs"]


def rss_mb(row):
    """Peak RSS, MB."""
    return row["max_rss_kib"] / 1024


def runs_by_driver(rows):
    """The runs by (driver, jobs)."""
    by = {}
    for row in rows:
        by.setdefault((row["driver"], row["jobs"]), []).append(row)
    return by


def values_of(by, driver, jobs, key):
    """`key` of each run of `driver` with `jobs` jobs."""
    return [key(row) for row in by.get((driver, jobs), [])]


def errors_seen(rows):
    """The first error of each driver and size that had one, as lines (none without errors)."""
    errors = sorted({(r["driver"], r["jobs"], r["first_error"]) for r in rows if r.get("first_error")})
    if not errors:
        return []
    return ["Errors seen:", ""] + [f"- {d}, N = {j}: `{e}`" for d, j, e in errors] + [""]


def driver_table(by, jobs):
    """The heading and the table of every driver's runs with `jobs` jobs."""
    return [
        f"**N = {jobs}**",
        "",
        "| driver | runs | CPU ms / task | peak RSS MB | wall s | polls / task | mock CPU s | ok / failed |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ] + driver_rows(by, jobs)


def driver_rows(by, jobs):
    """One table row per driver that ran with `jobs` jobs (`by`: runs by (driver, jobs))."""
    lines = []
    for driver, label, _ in DRIVERS:
        runs = by.get((driver, jobs))
        if not runs:
            continue

        def values(key):
            return [key(row) for row in runs]

        polls = values(lambda r: r["mock"]["polls"] / r["jobs"])
        mock_cpu = values(lambda r: r["mock_cpu"])
        ok = sum(r["ok"] for r in runs)
        failed = sum(r["failed"] for r in runs)
        lines.append(
            f"| {label} | {len(runs)} | {median_spread(values(cpu_ms), 2)} | {median_spread(values(rss_mb), 1)} "
            f"| {median_spread(values(lambda r: r['wall']), 2)} "
            f"| {statistics.median(polls):.1f} | {statistics.median(mock_cpu):.2f} | {ok} / {failed} |"
        )
    return lines


def report(args):
    if args.subsection:
        return report_subsection(args)
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    meta = json.load(open(args.meta))
    jobs_values = sorted({row["jobs"] for row in rows})
    lines = [HEADING, ""]
    lines += [
        "Pollster next to the clients people use today, on the same mock provider and the same",
        "workload. Re-run with `Benchmarks/peers/run` (1–2 hours; `--quick` for N=20, one",
        "repeat, printed but not written here).",
        "",
        f"- **Machine**: {meta['machine']}",
        f"- **Date**: {meta['date']}; **commit** `{meta['commit']}`",
        f"- **Toolchains**: {meta['swift']}; {meta['python']}",
        f"- **Clients** (PyPI, pinned in `Benchmarks/peers/requirements.txt`): {meta['clients']}",
        f"- **Workload**: N jobs submitted at once (N = {', '.join(str(j) for j in jobs_values)}); each job "
        f"finishes {meta['duration']} s after its submit; status polled every {meta['interval']} s "
        f"(first poll {meta['interval']} s after the submit); then one {meta['size'] // 1024} KiB PNG "
        "is downloaded into memory and dropped. The mock provider (`peers-mock`, the SwiftNIO "
        "`MockProviderServer`) runs in its own process on loopback; every driver is a fresh "
        "process measured by `/usr/bin/time -v` (user + sys CPU, peak RSS, wall), start-up and "
        f"imports included. Up to {meta['repeats']} runs per driver and N (column *runs*), drivers "
        "interleaved; a driver that lost jobs in its first run at some N is not run again at that N "
        "(its failure is the result, and such runs take minutes). Figures are median (min–max).",
        "- **Same poll interval?** Pollster (`InvokeOptions.pollInterval`), replicate-python "
        "(`Client.poll_interval`, also `REPLICATE_POLL_INTERVAL`), fal-client "
        "(`subscribe_async(interval=)`), the runwayml `tasks.retrieve` loop and the httpx loop all "
        "poll every "
        f"{meta['interval']} s. runwayml's `wait_for_task_output` cannot: it sleeps 6 s ± 1.5 s "
        "(random) before every retrieve, constants in `runwayml/lib/polling.py` with no option, so "
        "it makes fewer polls and finishes later (its row is not the same workload; the "
        "`tasks.retrieve` row is).",
        "- **Base URLs**: Pollster `InvokeOptions(baseUrlOverride:)` with the shipped "
        "`adapters/{replicate,fal,runway}.yaml` (their `limits:` line removed, so all N jobs are "
        "in flight as for the peers) and `URLPolicy(allowPrivateNetworks: true)`; replicate "
        "`Client(base_url=)`; runwayml `AsyncRunwayML(base_url=)`; fal-client the "
        "`FAL_QUEUE_RUN_HOST` environment variable. fal-client always builds "
        "`https://{FAL_QUEUE_RUN_HOST}/{app}` for the submit, so `peers-mock` terminates TLS on a "
        "second port (self-signed P-256 certificate, trusted through `SSL_CERT_FILE`) and "
        "forwards to the plain port; the status, response and file URLs it answers with are "
        "plain http, like everyone else's. fal-client alone pays TLS handshakes for its submits.",
        "",
    ]
    by = runs_by_driver(rows)
    for jobs in jobs_values:
        lines += driver_table(by, jobs)
        lines.append("")

    lines += [
        "**Pollster / peer** (ratio of medians; below 1 means Pollster uses less):",
        "",
        "| peer | Pollster driver | N | CPU / task | peak RSS | wall |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for driver, label, pollster in DRIVERS:
        if pollster is None:
            continue
        for jobs in jobs_values:
            if not by.get((driver, jobs)) or not by.get((pollster, jobs)):
                continue

            def ratio(key):
                mine = statistics.median(values_of(by, pollster, jobs, key))
                theirs = statistics.median(values_of(by, driver, jobs, key))
                return f"{mine / theirs:.2f}" if theirs else "–"

            lines.append(
                f"| {driver} | {pollster} | {jobs} | {ratio(lambda r: r['cpu'])} "
                f"| {ratio(lambda r: r['max_rss_kib'])} | {ratio(lambda r: r['wall'])} |"
            )
    lines.append("")

    lines += errors_seen(rows)

    loads = [row.get("load", 0) for row in rows]
    lines += [
        "Notes:",
        "",
        "- *Pool sized to N*: every Python client here sits on httpx, whose pool allows 100 "
        "connections by default (replicate, runwayml, fal-client and a bare `httpx.AsyncClient` "
        "alike). With more jobs than that polling at once, requests queue for a connection and "
        "fail with `PoolTimeout` after the client's pool timeout (replicate 10 s, httpx 5 s). The "
        "`pool sized to N` rows raise the limit to N through each client's documented option "
        "(replicate `Client(transport=httpx.AsyncHTTPTransport(limits=…))`, runwayml "
        "`AsyncRunwayML(http_client=DefaultAsyncHttpxClient(limits=…))`, httpx `limits=`); "
        "fal-client builds its httpx client internally and has no such option. Pollster runs "
        "with its defaults (`HTTPClientTransport`: AsyncHTTPClient with 64 connections per host; "
        "a request waits for one within its own timeout).",
        "- All N jobs are submitted in the same instant, so their polls arrive in waves of N "
        "requests every interval: the hardest case for a connection pool, and the same for every "
        "driver (scenario 2 spreads the starts over one interval instead).",
        "- The machine has two cores and the mock shares them with the driver under test, so a "
        "client that needs more CPU also slows the server it polls; *mock CPU s* is the mock's "
        "own CPU during each run. Other work on the machine shows in the 1-minute load average "
        f"at the start of the runs: median {statistics.median(loads):.1f} "
        f"({min(loads):.1f}–{max(loads):.1f}). Wall times suffer most from that; CPU seconds "
        "and peak RSS much less.",
        "- CPU per task is whole-process CPU divided by N, so it includes interpreter start-up "
        "and imports (pydantic models, httpx) for the Python drivers and loading three YAML "
        "adapters for Pollster; at small N that fixed cost is a visible share.",
        "- *polls / task* is counted by the mock (status requests; fal's result fetch not "
        "included). fal-client asks for the status once right after the submit, so it makes one "
        "poll more than the others; the runwayml `wait_for_task_output` row polls about every "
        "6 s.",
        "- What the mock needed for the unmodified clients, and every knob used, are described in "
        "`Benchmarks/peers/README.md`.",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    if args.doc:
        write_section(args.doc, section)


def split_section(path):
    """The document around section 3: (before, the section up to its first `### `, its
    subsections as {title: text} in order, after)."""
    try:
        text = open(path).read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n"
    start = text.find(HEADING)
    if start < 0:
        return text.rstrip("\n") + "\n\n", "", {}, ""
    following = text.find("\n## ", start + len(HEADING))
    end = following + 1 if following >= 0 else len(text)
    body = text[start:end]
    parts = re.split(r"(?m)^(?=### )", body)
    subsections = {}
    for part in parts[1:]:
        subsections[part.splitlines()[0][4:].strip()] = part.rstrip("\n") + "\n"
    return text[:start], parts[0], subsections, text[end:]


def join_section(path, before, main, subsections, after):
    pieces = [main.rstrip("\n") + "\n"] + list(subsections.values())
    section = "\n".join(pieces)
    text = before + section + ("\n" + after if after else "")
    with open(path, "w") as handle:
        handle.write(text.rstrip("\n") + "\n")


def write_section(path, section):
    """Replaces section 3 (from its heading to its first `### ` subsection or the next `## `
    heading) or appends it; its `### ` subsections (written by `--subsection`) are kept."""
    before, _, subsections, after = split_section(path)
    join_section(path, before, section, subsections, after)


def write_subsection(path, title, text):
    """Replaces the subsection `### title` of section 3, or appends it to the section."""
    before, main, subsections, after = split_section(path)
    if not main:
        main = HEADING + "\n"
    subsections[title] = text
    join_section(path, before, main, subsections, after)


def ratio_text(mine, theirs, digits=2):
    return f"{mine / theirs:.{digits}f}" if theirs else "–"


def report_subsection(args):
    """One `--tls` run (or any run given a title) as a subsection of section 3: the table with
    the floor row, and the ratios issue 16 names."""
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    meta = json.load(open(args.meta))
    jobs_values = sorted({row["jobs"] for row in rows})
    size = meta["size"]
    size_text = f"{size // 1048576} MiB" if size >= 1048576 and size % 1048576 == 0 else f"{size // 1024} KiB"
    scheme = "HTTPS" if meta.get("tls") else "plain HTTP"
    lines = [f"### {args.subsection}", ""]
    lines += [
        f"Measured {meta['date']} from {meta.get('time', '')}, commit `{meta['commit']}`, by "
        f"`Benchmarks/peers/run {meta.get('options', '')}` (regenerates this subsection and leaves "
        "the rest of section 3 alone).",
        "",
        f"- **Machine**: {meta['machine']}; shared: 1-minute load average "
        f"{meta.get('load_start', '?')} when the measured runs started, "
        f"{median_spread([r.get('load', 0) for r in rows], 1)} at the start of each run "
        "(median (min–max)).",
        f"- **Toolchains**: {meta['swift']}; {meta['python']}; {meta.get('curl', '')}",
        f"- **Clients**: {meta['clients']}",
        f"- **Workload**: N = {', '.join(str(j) for j in jobs_values)} jobs submitted at once; each "
        f"finishes {meta['duration']} s after its submit, is polled every {meta['interval']} s, and "
        f"has one {size_text} PNG output, downloaded into memory and dropped. "
        + (
            "**TLS everywhere**: `peers-mock --tls` serves HTTPS on its one port "
            "(`MockProviderServer.start(tls:)`, a self-signed P-256 certificate made by `run`), so "
            "every submit, poll, result and file URL is `https://127.0.0.1:PORT/…`. The Python "
            "clients trust the certificate through `SSL_CERT_FILE` (httpx), Pollster through "
            "`pollster-driver --ca-file` (`HTTPClientTransport.Configuration.trustedCertificatesFile`); "
            "fal-client's `FAL_QUEUE_RUN_HOST` is the mock's port itself."
            if meta.get("tls")
            else "Plain HTTP (fal-client's submits through the TLS front)."
        )
        + " Every driver is a fresh process measured by `/usr/bin/time -v` (start-up and imports "
        f"included); {meta['repeats']} runs per driver, drivers interleaved; median (min–max).",
        f"- **Floor**: `curl --parallel --parallel-max {meta.get('floor_parallel', 64)}"
        f"{' --cacert cert.pem' if meta.get('tls') else ''}` of the N output URLs of N finished "
        f"jobs into files (N × {size_text}, {scheme} from the same mock), then "
        "`openssl dgst -sha256` of the files; its CPU is curl's + openssl's user + sys, its RSS "
        "curl's. **Downloads only**: those N jobs were submitted and polled beforehand, "
        "unmeasured (`drivers/floor_urls.py`), while every driver's CPU includes its submits, "
        "polls, start-up and imports.",
        "",
    ]
    by = runs_by_driver(rows)

    def median_of(driver, jobs, key):
        values = values_of(by, driver, jobs, key)
        return statistics.median(values) if values else None

    for jobs in jobs_values:
        lines += driver_table(by, jobs)
        floor_parts = [r["parts_cpu"] for r in by.get(("floor", jobs), []) if "parts_cpu" in r]
        if floor_parts:
            curl_ms = [1000 * p[0] / jobs for p in floor_parts]
            sha_ms = [1000 * p[1] / jobs for p in floor_parts if len(p) > 1]
            lines += [
                "",
                f"Floor CPU split, ms per job: curl {median_spread(curl_ms, 2)}, "
                f"openssl dgst -sha256 {median_spread(sha_ms, 2)}.",
            ]
        lines.append("")

        # The ratios issue 16 names. "Best" Python client: the lowest median among those that
        # lost no job (a client that dropped jobs did less work).
        clean = [d for d in PYTHON if by.get((d, jobs)) and all(r["failed"] == 0 for r in by[(d, jobs)])]
        best_rss = min(clean, key=lambda d: median_of(d, jobs, rss_mb), default=None)
        best_cpu = min(clean, key=lambda d: median_of(d, jobs, cpu_ms), default=None)
        floor_cpu = median_of("floor", jobs, cpu_ms) if all(r["failed"] == 0 for r in by.get(("floor", jobs), [])) else None
        targets = {
            "rss": "≤ 1.0" if size == 1048576 else "",
            "floor": "≤ 1.25" if size == 1048576 else "",
            "cpu": "≤ 0.05" if size == 65536 else "",
        }
        lines += [
            f"**Ratios, N = {jobs}** (ratio of medians; the best Python client is the lowest "
            "median among those that lost no job"
            + (f": peak RSS `{best_rss}`, CPU `{best_cpu}`" if best_rss else ": none qualified")
            + "; issue 16's targets are for "
            + ("this workload" if size in (1048576, 65536) else "1 MiB and 64 KiB outputs")
            + "):",
            "",
            "| Pollster driver | peak RSS ÷ best Python | CPU ÷ floor | CPU ÷ best Python | CPU − floor, ms / task |",
            "|---|---:|---:|---:|---:|",
        ]
        for driver in POLLSTER:
            if not by.get((driver, jobs)):
                continue
            my_rss, my_cpu = median_of(driver, jobs, rss_mb), median_of(driver, jobs, cpu_ms)
            cells = [
                ratio_text(my_rss, median_of(best_rss, jobs, rss_mb)) if best_rss else "–",
                ratio_text(my_cpu, floor_cpu) if floor_cpu else "–",
                ratio_text(my_cpu, median_of(best_cpu, jobs, cpu_ms), 3) if best_cpu else "–",
                f"{my_cpu - floor_cpu:.2f}" if floor_cpu else "–",
            ]
            failed = sum(r["failed"] for r in by[(driver, jobs)])
            note = f" ({failed} jobs lost)" if failed else ""
            lines.append(f"| {driver}{note} | {' | '.join(cells)} |")
        if any(targets.values()):
            lines.append(
                f"| *issue 16's target* | {targets['rss'] or '–'} | {targets['floor'] or '–'} | {targets['cpu'] or '–'} | |"
            )
        lines += [
            "",
            "*CPU − floor* is what Pollster spends per job beyond the floor's download and hash: "
            "its submit and polls (over TLS), result handling and process start-up (YAML adapters).",
        ]
        # Clients that fell so far behind that they polled less than Pollster did: not the same
        # number of requests, which the CPU ratio does not show by itself.
        pollster_polls = [median_of(d, jobs, lambda r: r["mock"]["polls"] / r["jobs"]) for d in POLLSTER if by.get((d, jobs))]
        behind = [
            (d, median_of(d, jobs, lambda r: r["mock"]["polls"] / r["jobs"]), median_of(d, jobs, lambda r: r["wall"]))
            for d in PYTHON
            if by.get((d, jobs))
        ]
        behind = [(d, p, w) for d, p, w in behind if pollster_polls and p < min(pollster_polls) - 0.5]
        if behind:
            lines += [
                "",
                "*Polled less than Pollster* (median polls / task, wall): "
                + ", ".join(f"`{d}` {p:.1f}, {w:.1f} s" for d, p, w in behind)
                + f"; Pollster {min(pollster_polls):.1f}. Those clients fell behind their own "
                f"schedule (wall well over the {meta['duration']} s the jobs last), so their polls "
                "came later and found the jobs further along: fewer requests than Pollster made, "
                "so their CPU per task is for less work.",
            ]
        lines.append("")

    lines += errors_seen(rows)
    text = "\n".join(lines)
    print(text)
    if args.doc:
        write_subsection(args.doc, args.subsection, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record")
    rec.add_argument("--driver", required=True)
    rec.add_argument("--jobs", type=int, required=True)
    rec.add_argument("--repeat", type=int, required=True)
    rec.add_argument("--time", required=True, action="append",
                     help="/usr/bin/time -v output; twice or more for processes run one after the other")
    rec.add_argument("--out", required=True)
    rec.add_argument("--stats-before", required=True)
    rec.add_argument("--stats-after", required=True)
    rec.add_argument("--mock-cpu", required=True)
    rec.add_argument("--load", default="0", help="1-minute load average when the run started")
    rep = commands.add_parser("report")
    rep.add_argument("results")
    rep.add_argument("--meta", required=True)
    rep.add_argument("--doc")
    rep.add_argument("--subsection", help="write the runs as the subsection `### SUBSECTION` of section 3")
    args = parser.parse_args()
    {"record": record, "report": report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
