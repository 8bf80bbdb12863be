"""Drives `pollster mcp` with the official MCP Python SDK and prints what it saw as JSON.

Usage: pollster_client.py SCENARIO CONFIG_JSON [TASK_ID]
  CONFIG_JSON: {"command": path, "args": [...], "env": {...}, "cwd": dir} to start the server on stdio,
               or {"url": "http://127.0.0.1:PORT/mcp"} for a running Streamable HTTP server
  SCENARIO: session | cancel | start-task | finish-task
The Swift tests (Tests/PollsterTests/MCP) start the mock provider, run this and assert on the output.
"""

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import sys

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

TOOL = "runway.image_to_video"
ARGS = {"promptImage": "https://example.com/a.png", "model": "gen4_turbo"}


def params(config):
    return StdioServerParameters(
        command=config["command"],
        args=config["args"],
        env={**os.environ, **config.get("env", {})},
        cwd=config.get("cwd"),
    )


def text_of(result):
    return "\n".join(c.text for c in result.content if c.type == "text")


async def poll_until_terminal(session, task_id, seen):
    while True:
        status = await session.experimental.get_task(task_id)
        seen.append(status.status)
        if status.status in ("completed", "failed", "cancelled"):
            return status
        await asyncio.sleep(0.2)


async def session_scenario(session, init):
    out = {"protocolVersion": init.protocolVersion}
    caps = init.capabilities
    out["tasksCapability"] = caps.tasks.model_dump(mode="json", exclude_none=True) if caps.tasks else None
    tools = (await session.list_tools()).tools
    out["toolNames"] = [t.name for t in tools]
    runway = next(t for t in tools if t.name == TOOL)
    out["runway"] = {
        "schemaType": runway.inputSchema.get("type"),
        "required": runway.inputSchema.get("required"),
        "taskSupport": runway.execution.taskSupport if runway.execution else None,
        "openWorld": runway.annotations.openWorldHint if runway.annotations else None,
        "readOnly": runway.annotations.readOnlyHint if runway.annotations else None,
        "description": runway.description,
    }

    progress = []

    async def on_progress(value, total, message):
        progress.append({"progress": value, "total": total, "message": message})

    result = await session.call_tool(TOOL, ARGS, progress_callback=on_progress)
    links = [c for c in result.content if c.type == "resource_link"]
    out["plain"] = {
        "isError": result.isError,
        "text": text_of(result),
        "structured": result.structuredContent,
        "progress": progress,
        "links": [{"uri": str(l.uri), "mimeType": l.mimeType, "size": l.size, "name": l.name} for l in links],
    }
    read = await session.read_resource(links[0].uri)
    blob = base64.b64decode(read.contents[0].blob)
    out["resource"] = {
        "sha256": hashlib.sha256(blob).hexdigest(),
        "size": len(blob),
        "mimeType": read.contents[0].mimeType,
    }
    listed = await session.list_resources()
    out["resourcesListed"] = [str(r.uri) for r in listed.resources]

    bad = await session.call_tool(TOOL, {"model": "gen4_turbo"})
    out["badArgs"] = {"isError": bad.isError, "text": text_of(bad)}
    try:
        await session.call_tool("nope.missing", {})
        out["unknownTool"] = "no error"
    except Exception as error:  # McpError
        out["unknownTool"] = str(error)

    created = await session.experimental.call_tool_as_task(TOOL, ARGS)
    seen = []
    final = await poll_until_terminal(session, created.task.taskId, seen)
    payload = await session.experimental.get_task_result(created.task.taskId, types.CallToolResult)
    out["task"] = {
        "taskId": created.task.taskId,
        "created": created.task.status,
        "ttl": created.task.ttl,
        "seen": seen,
        "final": final.status,
        "isError": payload.isError,
        "links": len([c for c in payload.content if c.type == "resource_link"]),
        "structuredTaskId": (payload.structuredContent or {}).get("taskId"),
    }
    listed_tasks = await session.experimental.list_tasks()
    out["listedTaskIds"] = [t.taskId for t in listed_tasks.tasks]
    return out


async def cancel_scenario(session, init):
    out = {}
    # A plain call cancelled with notifications/cancelled once the provider job runs.
    request_id = session._request_id
    running = anyio.Event()

    async def on_progress(value, total, message):
        if value >= 5:
            running.set()

    async with anyio.create_task_group() as group:

        async def call():
            try:
                await session.call_tool(TOOL, ARGS, progress_callback=on_progress)
            except BaseException:
                pass

        group.start_soon(call)
        with anyio.fail_after(30):
            await running.wait()
        await session.send_notification(
            types.ClientNotification(
                types.CancelledNotification(
                    params=types.CancelledNotificationParams(requestId=request_id, reason="user cancelled")
                )
            )
        )
        group.cancel_scope.cancel()
    tasks = (await session.experimental.list_tasks()).tasks
    newest = tasks[0]
    seen = []
    with anyio.fail_after(30):
        final = await poll_until_terminal(session, newest.taskId, seen)
    out["plainCancelled"] = {"status": final.status, "message": final.statusMessage}

    # A task-augmented call cancelled with tasks/cancel.
    created = await session.experimental.call_tool_as_task(TOOL, ARGS)
    with anyio.fail_after(30):
        while (await session.experimental.get_task(created.task.taskId)).statusMessage.find("running") < 0:
            await asyncio.sleep(0.1)
    cancelled = await session.experimental.cancel_task(created.task.taskId)
    out["taskCancel"] = {"status": cancelled.status, "message": cancelled.statusMessage}
    try:
        await session.experimental.cancel_task(created.task.taskId)
        out["cancelAgain"] = "no error"
    except Exception as error:
        out["cancelAgain"] = str(error)
    return out


async def start_task_scenario(session, init):
    created = await session.experimental.call_tool_as_task(TOOL, ARGS)
    return {"taskId": created.task.taskId, "status": created.task.status}


async def finish_task_scenario(session, init, task_id):
    with anyio.fail_after(60):
        payload = await session.experimental.get_task_result(task_id, types.CallToolResult)
    status = await session.experimental.get_task(task_id)
    links = [c for c in payload.content if c.type == "resource_link"]
    read = await session.read_resource(links[0].uri)
    blob = base64.b64decode(read.contents[0].blob)
    return {
        "status": status.status,
        "isError": payload.isError,
        "structuredTaskId": (payload.structuredContent or {}).get("taskId"),
        "sha256": hashlib.sha256(blob).hexdigest(),
    }


@contextlib.asynccontextmanager
async def connect(config):
    if "url" in config:
        async with streamablehttp_client(config["url"]) as (read, write, _):
            yield read, write
    else:
        async with stdio_client(params(config)) as (read, write):
            yield read, write


PRINTED = {"result": False}


async def main():
    scenario, config = sys.argv[1], json.loads(sys.argv[2])
    async with connect(config) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            if scenario == "session":
                out = await session_scenario(session, init)
            elif scenario == "cancel":
                out = await cancel_scenario(session, init)
            elif scenario == "start-task":
                out = await start_task_scenario(session, init)
            elif scenario == "finish-task":
                out = await finish_task_scenario(session, init, sys.argv[3])
            else:
                raise SystemExit(f"unknown scenario {scenario}")
            print(json.dumps(out, default=str), flush=True)
            PRINTED["result"] = True


if __name__ == "__main__":
    try:
        anyio.run(main)
    except BaseExceptionGroup as group:
        # The server may still send a notification (progress, task status) while this client
        # hangs up; once the result is printed, a stream broken at teardown is not a failure.
        rest = group.subgroup(
            lambda e: not isinstance(e, (anyio.BrokenResourceError, BaseExceptionGroup)))
        if not PRINTED["result"] or rest is not None:
            raise
