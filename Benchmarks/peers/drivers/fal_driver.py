"""fal-client: subscribe_async (submit, poll status_url, fetch response_url) + httpx download.

Base URL: the FAL_QUEUE_RUN_HOST environment variable (host[:port], read at import); the client
always builds `https://{FAL_QUEUE_RUN_HOST}/{app}` for the submit, so the mock's TLS front
answers it (trusted through SSL_CERT_FILE) and the status/response URLs in the answer are plain
http on loopback; with `run --tls` the host is the mock's own HTTPS port and every URL is https.
Poll interval: subscribe_async(interval=...) (default 0.1 s); it asks for
the status once right after the submit, then sleeps the interval between polls. Key: FAL_KEY.
Pool: fal_client.AsyncClient builds its httpx client internally (AsyncBackupDomainTransport
around a default httpx.AsyncClient: 100 connections) and has no option for it, so `--pool N`
sizes only the download client here.
"""

import httpx

import fal_client

from common import PROMPT, arguments, limits, run

args = arguments(__doc__)
downloads = httpx.AsyncClient(timeout=60, **({"limits": limits(args)} if limits(args) else {}))


def output_url(result):
    if "images" in result:
        return result["images"][0]["url"]
    for key in ("video", "audio", "file"):
        if key in result:
            return result[key]["url"]
    raise RuntimeError(f"no output in {result}")


async def make_job():
    async def job():
        result = await fal_client.subscribe_async(
            "fal-ai/fast-sdxl", arguments={"prompt": PROMPT}, interval=args.interval
        )
        response = await downloads.get(output_url(result))
        response.raise_for_status()
        return len(response.content)

    return job


async def close():
    await downloads.aclose()


run("fal", args, make_job, close)
