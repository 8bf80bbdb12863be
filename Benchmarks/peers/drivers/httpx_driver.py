"""A plain asyncio + httpx polling loop against the Replicate-shaped endpoints: POST
/v1/predictions, GET urls.get every `--interval` seconds until a terminal status, GET output.
One httpx.AsyncClient with its default limits (100 connections), as a hand-written
integration would have; `--pool N` raises them.
"""

import os
import asyncio

import httpx

from common import PROMPT, REPLICATE_VERSION, arguments, limits, run

args = arguments(__doc__)
options = {"limits": limits(args)} if limits(args) else {}
client = httpx.AsyncClient(
    base_url=args.base_url, headers={"Authorization": "Bearer " + os.environ["REPLICATE_API_TOKEN"]}, timeout=60, **options)
TERMINAL = {"succeeded", "failed", "canceled"}


async def make_job():
    async def job():
        response = await client.post("/v1/predictions", json={"version": REPLICATE_VERSION, "input": {"prompt": PROMPT}})
        response.raise_for_status()
        prediction = response.json()
        while prediction["status"] not in TERMINAL:
            await asyncio.sleep(args.interval)
            response = await client.get(prediction["urls"]["get"])
            response.raise_for_status()
            prediction = response.json()
        if prediction["status"] != "succeeded":
            raise RuntimeError(f"prediction {prediction['id']} ended {prediction['status']}: {prediction.get('error')}")
        output = prediction["output"]
        file = await client.get(output if isinstance(output, str) else output[0])
        file.raise_for_status()
        return len(file.content)

    return job


async def close():
    await client.aclose()


run("httpx", args, make_job, close)
