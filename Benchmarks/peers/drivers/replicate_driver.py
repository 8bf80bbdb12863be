"""replicate-python (async): predictions.async_create + Prediction.async_wait + FileOutput.aread.

Base URL: `replicate.Client(base_url=...)` (the client also reads REPLICATE_BASE_URL).
Pool: `--pool N` passes `transport=httpx.AsyncHTTPTransport(limits=...)` (the client wraps
it in its RetryTransport; `limits=` on the client itself would be ignored next to a transport).
Poll interval: `Client.poll_interval` (initialised from REPLICATE_POLL_INTERVAL, default 0.5 s);
async_wait sleeps that long between `GET /v1/predictions/{id}`.
"""

import os
import httpx
import replicate
from replicate.helpers import FileOutput

from common import PROMPT, REPLICATE_VERSION, arguments, limits, run

args = arguments(__doc__)
options = {"transport": httpx.AsyncHTTPTransport(limits=limits(args))} if limits(args) else {}
client = replicate.Client(api_token=os.environ["REPLICATE_API_TOKEN"], base_url=args.base_url, **options)
client.poll_interval = args.interval


async def make_job():
    async def job():
        prediction = await client.predictions.async_create(version=REPLICATE_VERSION, input={"prompt": PROMPT})
        await prediction.async_wait()
        if prediction.status != "succeeded":
            raise RuntimeError(f"prediction {prediction.id} ended {prediction.status}: {prediction.error}")
        output = prediction.output
        url = output if isinstance(output, str) else output[0]
        # What replicate.run(..., use_file_output=True) hands back: a FileOutput read through the client.
        return len(await FileOutput(url, client).aread())

    return job


async def close():
    await client._async_client.aclose()


run("replicate", args, make_job, close)
