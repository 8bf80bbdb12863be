"""Shared harness of the peer drivers: arguments, N jobs at once, one JSON summary line.

Every driver runs the same workload as Benchmarks/peers/pollster-driver: N jobs submitted at
once (asyncio.gather), each polled until the mock says it is done, then its one output file is
downloaded into memory and dropped (only the byte count is kept). The process is measured from
outside (/usr/bin/time -v), so nothing here times anything but the summary's `seconds`.
"""

import argparse
import asyncio
import json
import sys
import time

STARTED = time.monotonic()

PROMPT = "a lighthouse at dawn"
# A Replicate version id: "{owner}/{model}:{64 hex digits}" is what the Pollster adapter sends too.
REPLICATE_VERSION = "mock/model:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base-url", required=True, help="the mock provider, e.g. http://127.0.0.1:8089")
    parser.add_argument("--jobs", type=int, default=20, help="jobs in flight at once")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between status polls")
    parser.add_argument("--mode", default="", help="driver-specific variant")
    parser.add_argument(
        "--pool", type=int, default=0,
        help="connections the client may open (0: the client's default, 100 for all of them)")
    return parser.parse_args()


def limits(args):
    """httpx limits for `--pool` (None: keep the client's defaults)."""
    import httpx

    if args.pool <= 0:
        return None
    return httpx.Limits(max_connections=args.pool, max_keepalive_connections=args.pool)


def run(name, args, make_job, close=None):
    """Runs `make_job()` N times concurrently; prints {driver, jobs, ok, failed, bytes, seconds}."""

    async def main():
        job = await make_job()
        outcomes = await asyncio.gather(*(job() for _ in range(args.jobs)), return_exceptions=True)
        if close is not None:
            await close()
        return outcomes

    outcomes = asyncio.run(main())
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    summary = {
        "driver": name + (f"-pool{args.pool}" if args.pool > 0 else ""),
        "jobs": args.jobs,
        "ok": len(outcomes) - len(errors),
        "failed": len(errors),
        "bytes": sum(o for o in outcomes if isinstance(o, int)),
        "seconds": round(time.monotonic() - STARTED, 3),
    }
    if errors:
        summary["first_error"] = f"{type(errors[0]).__name__}: {errors[0]}"[:300]
    print(json.dumps(summary, sort_keys=True))
    sys.exit(0 if not errors else 1)
