import AsyncHTTPClient
import Crypto
import Foundation
import NIOHTTP1
import Pollster
import PollsterCore
import PollsterMock
import PollsterServer
import Testing

/// The HTTP task API end to end: a real client, a real server on loopback, the mock provider.
@Suite("HTTP task API", .serialized)
struct ServerAPITests {
    @Test func healthAndReadinessAnswerWithoutAKey() async throws {
        try await withServer { server in
            let (health, _) = try await server.json(server.request(.get, "/healthz", key: .some(nil)))
            #expect(health == 200)
            let (ready, body) = try await server.json(server.request(.get, "/readyz", key: .some(nil)))
            #expect(ready == 200)
            #expect(body["status"]?.stringValue == "ready")
            #expect((body["tools"]?.scalarText).flatMap(Int.init) ?? 0 > 0)
        }
    }

    @Test func submitStreamEventsAndDownloadByteIdenticalFiles() async throws {
        try await withServer { server in
            let (status, task) = try await server.submit()
            #expect(status == 202)
            let id = try #require(task["id"]?.stringValue)
            #expect(task["state"]?.stringValue == "queued")

            let events = try await server.send(server.request(.get, "/v1/tasks/\(id)/events"))
            #expect(events.status == 200)
            #expect(events.headers["content-type"].first == "text/event-stream")
            let states = Self.sseData(events.text).compactMap { $0["state"]?.stringValue }
            #expect(states.last == "succeeded")
            #expect(states.count >= 2)

            let done = try await server.finished(id)
            #expect(done["state"]?.stringValue == "succeeded")
            let stored = try #require(try await server.tasks.service.status(id).result?.files.first?.path)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: stored)))
            let file = try await server.send(server.request(.get, "/v1/tasks/\(id)/files/0"))
            #expect(file.status == 200)
            #expect(file.body == bytes)
            #expect(file.headers["content-type"].first == "video/mp4")
            #expect(file.headers["content-length"].first == String(bytes.count))
            let etag = try #require(file.headers["etag"].first)

            let part = try await server.send(
                server.request(.get, "/v1/tasks/\(id)/files/0", headers: [("range", "bytes=10-99")]))
            #expect(part.status == 206)
            #expect(part.body == Array(bytes[10...99]))
            #expect(part.headers["content-range"].first == "bytes 10-99/\(bytes.count)")
            let same = try await server.send(
                server.request(.get, "/v1/tasks/\(id)/files/0", headers: [("if-none-match", etag)]))
            #expect(same.status == 304)
            let outside = try await server.send(
                server.request(.get, "/v1/tasks/\(id)/files/0", headers: [("range", "bytes=999999-")]))
            #expect(outside.status == 416)
            #expect(outside.headers["content-type"].first == "application/problem+json")
        }
    }

    @Test func lastEventIDResumesAfterTheLastSeenChange() async throws {
        try await withServer { server in
            let id = try #require(try await server.submit().1["id"]?.stringValue)
            _ = try await server.finished(id)
            let all = try await server.send(server.request(.get, "/v1/tasks/\(id)/events"))
            let last = try #require(Self.sseIDs(all.text).last)
            let resumed = try await server.send(
                server.request(.get, "/v1/tasks/\(id)/events", headers: [("last-event-id", last)]))
            #expect(resumed.status == 200)
            #expect(Self.sseData(resumed.text).isEmpty)
        }
    }

    @Test func idempotencyKeyGivesTheSameTaskAndADifferentBodyConflicts() async throws {
        try await withServer { server in
            let key = [("idempotency-key", "order-42")]
            let (first, task) = try await server.submit(headers: key)
            let (second, again) = try await server.submit(headers: key)
            #expect(first == 202)
            #expect(second == 202)
            #expect(task["id"] == again["id"])
            let (conflict, problem) = try await server.submit(
                body: #"{"input": {"promptImage": "https://example.com/b.png", "model": "gen4_turbo"}}"#,
                headers: key)
            #expect(conflict == 409)
            #expect(problem["code"]?.stringValue == "IDEMPOTENCY_CONFLICT")
            let list = try await server.json(server.request(.get, "/v1/tasks"))
            #expect(list.1["tasks"]?.arrayValue?.count == 1)
        }
    }

    @Test("requests racing with one Idempotency-Key make one task, none canceled, one provider job")
    func racingIdempotencyKeysMakeOneTask() async throws {
        try await withServer { server in
            let key = [("idempotency-key", "order-race")]
            let answers = try await withThrowingTaskGroup(of: (Int, JSONValue).self) { group in
                for _ in 0..<8 { group.addTask { try await server.submit(headers: key) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == 202 }, "\(answers.map(\.0))")
            let ids = Set(answers.compactMap { $0.1["id"]?.stringValue })
            #expect(ids.count == 1, "\(ids)")
            let id = try #require(ids.first)
            let done = try await server.finished(id)
            #expect(done["state"]?.stringValue == "succeeded")
            let list = try await server.json(server.request(.get, "/v1/tasks"))
            #expect(list.1["tasks"]?.arrayValue?.count == 1, "no second task, not even a canceled one")
            #expect(server.tasks.mock.stats.jobsCreated == 1)
        }
    }

    @Test func cancelThenRetry() async throws {
        try await withServer(script: MockJobScript(polls: 100_000)) { server in
            let id = try #require(try await server.submit().1["id"]?.stringValue)
            _ = try await server.tasks.waitUntil(id) { $0.state == .running }
            let (status, _) = try await server.json(server.request(.post, "/v1/tasks/\(id)/cancel"))
            #expect(status == 200)
            let canceled = try await server.finished(id)
            #expect(canceled["state"]?.stringValue == "canceled")
            let (again, still) = try await server.json(server.request(.post, "/v1/tasks/\(id)/cancel"))
            #expect(again == 200)  // canceling a canceled task is idempotent
            #expect(still["state"]?.stringValue == "canceled")
            let (retried, task) = try await server.json(server.request(.post, "/v1/tasks/\(id)/retry"))
            #expect(retried == 202)
            #expect(task["attempt"] == 2)
            #expect(task["state"]?.stringValue == "queued")
        }
    }

    @Test func cancelOrRetryOfASucceededTaskIs409Conflict() async throws {
        try await withServer { server in
            let id = try #require(try await server.submit().1["id"]?.stringValue)
            #expect(try await server.finished(id)["state"]?.stringValue == "succeeded")
            for action in ["cancel", "retry"] {
                let (status, problem) = try await server.json(
                    server.request(.post, "/v1/tasks/\(id)/\(action)"))
                #expect(status == 409, "\(action)")
                #expect(problem["code"]?.stringValue == "CONFLICT", "\(action)")
            }
        }
    }

    @Test func tenantsSeeOnlyTheirOwnTasksAndWrongKeysAre401() async throws {
        try await withServer { server in
            let id = try #require(try await server.submit().1["id"]?.stringValue)
            let (other, problem) = try await server.json(
                server.request(.get, "/v1/tasks/\(id)", key: server.keyB))
            #expect(other == 404)
            #expect(problem["code"]?.stringValue == "TASK_NOT_FOUND")
            #expect(
                try await server.json(server.request(.post, "/v1/tasks/\(id)/cancel", key: server.keyB)).0
                    == 404)
            #expect(
                try await server.send(server.request(.get, "/v1/tasks/\(id)/files/0", key: server.keyB))
                    .status == 404)
            let page = try await server.json(server.request(.get, "/v1/tasks", key: server.keyB)).1
            #expect(page["tasks"]?.arrayValue?.isEmpty == true)

            for key: String? in ["pk_wrong", nil] {
                let reply = try await server.send(server.request(.get, "/v1/tasks/\(id)", key: .some(key)))
                #expect(reply.status == 401)
                #expect(reply.headers["content-type"].first == "application/problem+json")
                let body = try JSONDecoder().decode(JSONValue.self, from: Data(reply.body))
                #expect(body["code"]?.stringValue == "UNAUTHORIZED")
            }
        }
    }

    @Test func aKeyWithoutTheScopeIs403AndAnOversizedBodyIs413() async throws {
        try await withServer { server in
            let reader = APIKeys.generate()
            try await server.state.addKey(
                hash: APIKeys.hash(reader), tenant: "tenant-a", scopes: [.tasksRead])
            let (status, problem) = try await server.submit(key: reader)
            #expect(status == 403)
            #expect(problem["code"]?.stringValue == "FORBIDDEN")
            #expect(try await server.json(server.request(.get, "/v1/tools", key: reader)).0 == 200)

            let huge = #"{"input": {"promptText": ""# + String(repeating: "x", count: 2 << 20) + #""}}"#
            let reply = try await server.send(
                server.request(.post, "/v1/tools/\(runwayTool)/tasks", body: huge))
            #expect(reply.status == 413)
            #expect(reply.headers["content-type"].first == "application/problem+json")
            let listed = try await server.tasks.service.list(TaskQuery(limit: 10))
            #expect(listed.isEmpty, "nothing was stored")
        }
    }

    @Test func aTenantAtItsLimitOfUnfinishedTasksGets429AndOthersDoNot() async throws {
        try await withServer(script: MockJobScript(polls: 100_000), maxTasksPerTenant: 2) { server in
            let first = try await server.submit()
            let second = try await server.submit()
            #expect(first.0 == 202 && second.0 == 202)
            let (status, problem) = try await server.submit()
            #expect(status == 429)
            #expect(problem["code"]?.stringValue == "TOO_MANY_TASKS")
            #expect(try await server.submit(key: server.keyB).0 == 202, "the limit is per tenant")
            let id = try #require(first.1["id"]?.stringValue)
            _ = try await server.json(server.request(.post, "/v1/tasks/\(id)/cancel"))
            _ = try await server.tasks.waitUntil(id) { $0.state.isFinished }
            #expect(try await server.submit().0 == 202, "a finished task frees a place")
        }
    }

    @Test func invalidInputIs422NamingTheFieldAndNothingIsStored() async throws {
        try await withServer { server in
            let (status, problem) = try await server.submit(body: #"{"input": {"model": "gen4_turbo"}}"#)
            #expect(status == 422)
            #expect(problem["code"]?.stringValue == "INVALID_INPUT")
            #expect(problem["detail"]?.stringValue?.contains("promptImage") == true)
            #expect(try await server.tasks.service.list().isEmpty)
            let (unknown, missing) = try await server.json(
                server.request(.post, "/v1/tools/nope.nothing/tasks", body: #"{"input": {}}"#))
            #expect(unknown == 404)
            #expect(missing["code"]?.stringValue == "TOOL_NOT_FOUND")
            let (route, _) = try await server.json(server.request(.get, "/v1/nowhere"))
            #expect(route == 404)
        }
    }

    @Test("a malformed request is a 400 whose detail names the field or parameter and what it should be")
    func malformedRequestsSayWhatToFix() async throws {
        let cases: [(method: ServerHarness.HTTPMethodName, path: String, body: String?, detail: String)] = [
            (.post, "/v1/tools/\(runwayTool)/tasks", "{\"input\": ", "the request body is not valid JSON"),
            (.post, "/v1/tools/\(runwayTool)/tasks", "{}", "input is required but missing"),
            (
                .post, "/v1/tools/\(runwayTool)/tasks", #"{"input": 5}"#,
                "input: expected an object, found a number"
            ),
            (
                .post, "/v1/tools/\(runwayTool)/tasks", #"{"input": null}"#,
                "input: expected an object, found null"
            ),
            (
                .post, "/v1/tools/\(runwayTool)/tasks", #"{"input": {}, "webhook": {"url": "x"}}"#,
                "webhook: expected a string, found an object"
            ),
            (
                .post, "/v1/tools/\(runwayTool)/tasks", "[1]",
                "the request body: expected an object, found an array"
            ),
            (.get, "/v1/tasks?limit=many", nil, "the query parameter limit=many: expected an integer"),
            (
                .get, "/v1/tasks?state=lost&limit=2", nil,
                "the query parameter state=lost: 'lost' is not one of the allowed values"
            ),
        ]
        try await withServer { server in
            for (method, path, body, detail) in cases {
                let (status, problem) = try await server.json(server.request(method, path, body: body))
                #expect(status == 400, "\(path) \(body ?? "")")
                #expect(problem["code"]?.stringValue == "BAD_REQUEST")
                #expect(
                    problem["detail"]?.stringValue?.hasPrefix(detail) == true,
                    "\(body ?? path): \(problem["detail"]?.stringValue ?? "")")
            }
            #expect(try await server.tasks.service.list().isEmpty)
        }
    }

    @Test func preferWaitAnswersWithTheFinishedTask() async throws {
        try await withServer { server in
            let (status, task) = try await server.submit(headers: [("prefer", "wait=20")])
            #expect(status == 200)
            #expect(task["state"]?.stringValue == "succeeded")
            #expect(task["files"]?.arrayValue?.count == 1)
        }
    }

    @Test func toolsAreListedWithoutSecrets() async throws {
        try await withServer { server in
            let (status, list) = try await server.json(server.request(.get, "/v1/tools"))
            #expect(status == 200)
            #expect(list["tools"]?.arrayValue?.contains { $0["name"]?.stringValue == runwayTool } == true)
            let detail = try await server.send(server.request(.get, "/v1/tools/\(runwayTool)"))
            #expect(detail.status == 200)
            #expect(!detail.text.contains("RUNWAYML_API_SECRET") && !detail.text.contains("runway-test-key"))
            #expect(detail.text.contains("requestSchema"))
        }
    }

    /// The `data:` payloads of an SSE stream, as JSON.
    static func sseData(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").filter { $0.hasPrefix("data: ") }.compactMap {
            try? JSONDecoder().decode(JSONValue.self, from: Data($0.dropFirst(6).utf8))
        }
    }

    /// The `id:` fields of an SSE stream.
    static func sseIDs(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { String($0.dropFirst(4)) }
    }
}
