"""runwayml (async): text_to_image.create, then wait_for_task_output or a tasks.retrieve loop,
then an httpx download of output[0].

Base URL: `AsyncRunwayML(base_url=...)` (the client also reads RUNWAYML_BASE_URL); key:
`api_key=` / RUNWAYML_API_SECRET; the client sends X-Runway-Version: 2024-11-06 itself.
Poll interval: wait_for_task_output sleeps 6 s +/- 1.5 s (random) before each retrieve,
constants in runwayml/lib/polling.py with no option, so `--mode wait` cannot use the shared
interval; `--mode retrieve` polls with client.tasks.retrieve every `--interval` seconds instead.
Pool: `--pool N` passes `http_client=DefaultAsyncHttpxClient(limits=...)` (the SDK's documented
way to configure its httpx client) and sizes the download client alike.
"""

import os
import asyncio

import httpx
from runwayml import AsyncRunwayML, DefaultAsyncHttpxClient

from common import PROMPT, arguments, limits, run

args = arguments(__doc__)
pool = {"limits": limits(args)} if limits(args) else {}
options = {"http_client": DefaultAsyncHttpxClient(**pool)} if pool else {}
client = AsyncRunwayML(api_key=os.environ["RUNWAYML_API_SECRET"], base_url=args.base_url, **options)
downloads = httpx.AsyncClient(timeout=60, **pool)


async def wait_by_retrieve(task_id):
    while True:
        await asyncio.sleep(args.interval)
        task = await client.tasks.retrieve(task_id)
        if task.status == "SUCCEEDED":
            return task
        if task.status in ("FAILED", "CANCELLED"):
            raise RuntimeError(f"task {task_id} ended {task.status}")


async def make_job():
    async def job():
        task = await client.text_to_image.create(model="gen4_image", prompt_text=PROMPT, ratio="1920:1080")
        if args.mode == "retrieve":
            done = await wait_by_retrieve(task.id)
        else:
            done = await task.wait_for_task_output(timeout=600)
        response = await downloads.get(done.output[0])
        response.raise_for_status()
        return len(response.content)

    return job


async def close():
    await downloads.aclose()
    await client.close()


run("runway-retrieve" if args.mode == "retrieve" else "runway-wait", args, make_job, close)
