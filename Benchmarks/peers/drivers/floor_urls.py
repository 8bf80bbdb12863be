"""The inputs of the floor row (not measured): N jobs' output URLs, as a curl config file.

Submits N Replicate-shaped jobs to the mock (`POST /v1/predictions`) over one kept-alive
connection, waits until each says `succeeded` (`GET /v1/predictions/{id}`), and writes one
`url = "…"` / `output = "DIR/out-I"` pair per job's `output` URL to `--config`, for
`curl --parallel -K CONFIG`. So the floor downloads the same N outputs (N x --size bytes) from
the same mock, over the same scheme, as the drivers do; its submits and polls happen here,
before the measured part, and are not in the floor.

  floor_urls.py --base-url https://127.0.0.1:8089 --jobs 200 --ca-file cert.pem \
      --output-dir DIR --config floor.cfg
"""

import os
import argparse
import http.client
import json
import ssl
import sys
import time
import urllib.parse

from common import PROMPT, REPLICATE_VERSION


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--ca-file", help="PEM certificate to trust (https base URLs)")
    parser.add_argument("--output-dir", required=True, help="where curl is to write the files")
    parser.add_argument("--config", required=True, help="the curl config file to write")
    parser.add_argument("--max-wait", type=float, default=300.0)
    args = parser.parse_args()

    base = urllib.parse.urlsplit(args.base_url)
    if base.scheme == "https":
        context = ssl.create_default_context(cafile=args.ca_file)
        connection = http.client.HTTPSConnection(base.hostname, base.port, context=context, timeout=60)
    else:
        connection = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    headers = {"Authorization": "Bearer " + os.environ["REPLICATE_API_TOKEN"], "Content-Type": "application/json"}

    def call(method, path, body=None):
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:200]!r}")
        return json.loads(data)

    ids = [
        call("POST", "/v1/predictions", {"version": REPLICATE_VERSION, "input": {"prompt": PROMPT}})["id"]
        for _ in range(args.jobs)
    ]
    deadline = time.monotonic() + args.max_wait
    urls = []
    for prediction_id in ids:
        while True:
            prediction = call("GET", f"/v1/predictions/{prediction_id}")
            if prediction["status"] == "succeeded":
                break
            if prediction["status"] in ("failed", "canceled") or time.monotonic() > deadline:
                raise RuntimeError(f"prediction {prediction_id}: {prediction['status']}")
            time.sleep(0.2)
        output = prediction["output"]
        urls.append(output if isinstance(output, str) else output[0])
    connection.close()
    with open(args.config, "w") as handle:
        for index, url in enumerate(urls):
            handle.write(f'url = "{url}"\noutput = "{args.output_dir}/out-{index}"\n')


if __name__ == "__main__":
    sys.exit(main())
