#!/usr/bin/env python3
"""Initial async-frame (context) sizes of the engine's async functions, from a release binary.

Every Swift async function has an "async function pointer" record (symbol suffix `Tu`): a relative
offset and the size of the context it allocates from its task on each call. A waiting job keeps
the contexts of its whole chain of suspended calls, so these sizes show where its memory goes
(docs/benchmarks.md, "Findings and fixes").

Usage: async-frames.py [BINARY] [NAME_FILTER ...]
       (default: .build/release/pollster-bench, filter "HttpAdapter" "Pollster.")
"""
import os
import struct
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, ".build/release/pollster-bench")
filters = sys.argv[2:] or ["HttpAdapter", "Pollster."]

symbols = []
for line in subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[2].endswith("Tu") and "8Pollster" in parts[2]:
        symbols.append((int(parts[0], 16), parts[2]))
sections = []
for line in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
    parts = line.replace("[ ", "[").split()
    if len(parts) > 6 and parts[0].startswith("["):
        try:
            sections.append((int(parts[3], 16), int(parts[4], 16), int(parts[5], 16)))
        except ValueError:
            pass
with open(binary, "rb") as handle:
    data = handle.read()
rows = []
for address, name in symbols:
    for start, offset, size in sections:
        if start and start <= address < start + size:
            position = offset + address - start
            rows.append((struct.unpack("<iI", data[position:position + 8])[1], name))
            break
names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(n for _, n in rows),
                       capture_output=True, text=True).stdout.splitlines()
for (size, _), name in sorted(zip(rows, names), reverse=True):
    if any(f in name for f in filters):
        print(f"{size:6d}  {name.replace('async function pointer to ', '')}")
