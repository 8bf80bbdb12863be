import Foundation
import NIOHTTP1
import Pollster
import PollsterCore
import PollsterSQLite
import Testing

/// The `TaskStore` contract, checked on every store: in memory, SQLite and PostgreSQL (the
/// PostgreSQL cases are cancelled when no server can be started, and fail instead with
/// `POLLSTER_REQUIRE_POSTGRES=1`).
@Suite("Task stores: the contract", .postgresStores)
struct TaskStoreTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A fresh store of `kind`: SQLite in a temporary file, PostgreSQL in a new database on the
    /// shared test cluster (its suite needs the `.postgresStores` trait).
    static func store(_ kind: Kind) async throws -> any TaskStore {
        switch kind {
        case .memory: return InMemoryTaskStore()
        case .sqlite: return try SQLiteTaskStore(path: temporarySQLitePath())
        case .postgres: return try await PostgresStores.make()
        }
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Two queued tasks, created a second apart, stored in `store`.
    static func insertTwo(into store: any TaskStore) async throws -> (TaskRecord, TaskRecord) {
        let (a, b) = (task(at: 0), task(at: 1))
        try await store.insert(a)
        try await store.insert(b)
        return (a, b)
    }

    /// `count` tasks created a second apart, of tools `a.x` and `b.y` in turn, each changed by
    /// `shape` (given its index) and stored in `store`.
    static func insertTasks(
        _ count: Int, into store: any TaskStore, _ shape: (Int, inout TaskRecord) -> Void
    ) async throws -> [TaskRecord] {
        var tasks: [TaskRecord] = []
        for index in 0..<count {
            var task = task(index % 2 == 0 ? "a.x" : "b.y", at: TimeInterval(index))
            shape(index, &task)
            tasks.append(task)
            try await store.insert(task)
        }
        return tasks
    }

    static func task(_ tool: String = "mock.run", at offset: TimeInterval = 0, priority: Int = 0)
        -> TaskRecord
    {
        TaskRecord(tool: tool, input: ["n": .integer(Int64(offset))], priority: priority, now: t0 + offset)
    }

    @Test("a stored task reads back whole; a second insert of its id is refused", arguments: Kind.allCases)
    func roundTrip(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        var task = Self.task()
        task.options = TaskOptions(baseUrlOverride: "http://127.0.0.1:1", pollIntervalSeconds: 0.5)
        task.checkpoint = TaskCheckpoint(
            providerTaskId: "job-1", submitURL: "http://x/submit", submittedAt: Self.t0,
            response: TransportResponse(
                status: 202, headers: ["Operation-Location": "/ops/1"], body: [0, 1, 255]))
        try await store.insert(task)
        let read = try #require(try await store.task(id: task.id))
        #expect(read.tool == task.tool)
        #expect(read.input == task.input)
        #expect(read.options == task.options)
        #expect(read.checkpoint == task.checkpoint)
        #expect(read.createdAt == task.createdAt)
        #expect(read.state == .queued)
        await #expect(throws: TaskStoreError.self) { try await store.insert(task) }
        #expect(try await store.task(id: "missing") == nil)
    }

    @Test(
        "the input and the job's result keep their member order through insert, save and load",
        arguments: Kind.allCases)
    func keepsMemberOrder(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        // Enough members that a coder's hashed or sorted order cannot pass by chance.
        let input = #"{"z":1,"a":{"y":2,"b":3},"q":[{"k":true,"c":null}],"m":"x","d":4.5,"b":{}}"#
        let result = #"{"video":{"url":"u","format":"mp4"},"status":"done","id":"j-1","created":7}"#
        try await store.insert(TaskRecord(tool: "mock.run", input: try JSONParser.parse(input), now: Self.t0))
        let inserted = try #require(try await store.list(TaskQuery()).first)
        #expect(JSONWriter.string(inserted.input) == input)

        var claimed = try #require(
            try await store.claim(TaskClaim(worker: "w1", limit: 1, lease: .seconds(1000), now: Self.t0))
                .first)
        #expect(JSONWriter.string(claimed.input) == input)
        claimed.checkpoint = TaskCheckpoint(
            providerTaskId: "j-1", submitURL: "http://x/submit", submittedAt: Self.t0,
            response: TransportResponse(status: 200, headers: [:], body: Array(result.utf8)))
        claimed.checkpoint?.result = try JSONParser.parse(result)
        #expect(try await store.save(claimed, worker: "w1"))
        let saved = try #require(try await store.task(id: claimed.id))
        #expect(JSONWriter.string(saved.input) == input)
        #expect(saved.checkpoint?.result.map(JSONWriter.string) == result)
    }

    @Test("list filters by state and tool, pages newest first with a cursor", arguments: Kind.allCases)
    func list(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let tasks = try await Self.insertTasks(5, into: store) { index, task in
            if index == 4 { task.state = .failed }
        }
        let all = try await store.list(TaskQuery())
        #expect(all.map(\.id) == tasks.reversed().map(\.id))
        let firstPage = try await store.list(TaskQuery(limit: 2))
        #expect(firstPage.map(\.id) == [tasks[4].id, tasks[3].id])
        let secondPage = try await store.list(TaskQuery(limit: 2, after: firstPage.last?.id))
        #expect(secondPage.map(\.id) == [tasks[2].id, tasks[1].id])
        #expect(try await store.list(TaskQuery(tool: "b.y")).map(\.id) == [tasks[3].id, tasks[1].id])
        #expect(try await store.list(TaskQuery(states: [.failed])).map(\.id) == [tasks[4].id])
        let recent = try await store.list(TaskQuery(createdAfter: Self.t0 + 3))
        #expect(recent.map(\.id) == [tasks[4].id, tasks[3].id])
    }

    @Test(
        "a page cursor whose task was deleted since continues from that task's place",
        arguments: Kind.allCases)
    func cursorOfADeletedTask(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let tasks = try await Self.insertTasks(5, into: store) { index, task in
            if index == 3 {
                task.state = .succeeded
                task.finishedAt = Self.t0
            }
        }
        let firstPage = try await store.list(TaskQuery(limit: 2))
        #expect(firstPage.map(\.id) == [tasks[4].id, tasks[3].id])
        let cursor = try #require(firstPage.last.map { TaskPageCursor(after: $0).token })
        #expect(try await store.deleteFinished(before: Self.t0 + 60).map(\.id) == [tasks[3].id])
        let next = try await store.list(TaskQuery(limit: 2).continuing(after: cursor))
        #expect(next.map(\.id) == [tasks[2].id, tasks[1].id])
        // A bare id (no time) of a task that is gone still gives an empty page.
        #expect(try await store.list(TaskQuery(limit: 2, after: tasks[3].id)).isEmpty)
        // The time of a cursor whose task still exists does not matter: the task's own place counts.
        var moved = TaskPageCursor(after: tasks[4])
        moved.createdAt = Self.t0 - 1000
        #expect(
            try await store.list(TaskQuery(limit: 2).continuing(after: moved.token)).map(\.id)
                == [tasks[2].id, tasks[1].id])
    }

    @Test(
        "page cursor tokens: id and time, or a bare id",
        arguments: [
            ("abc~1800000000.5", "abc", 1_800_000_000.5),
            ("ee83d2a8-0281-4d91-983d-5797136b3ac7", "ee83d2a8-0281-4d91-983d-5797136b3ac7", nil),
            ("a~b~12", "a~b", 12),
            ("odd~", "odd~", nil),
            ("odd~nan", "odd~nan", nil),
        ] as [(String, String, Double?)])
    func cursorTokens(_ token: String, _ id: String, _ seconds: Double?) {
        let cursor = TaskPageCursor(token: token)
        #expect(cursor.id == id)
        #expect(cursor.createdAt?.timeIntervalSince1970 == seconds)
        #expect(TaskPageCursor(token: cursor.token) == cursor, "a token reads back as itself")
    }

    @Test("count: as many as list gives, for every filter, stopping at the limit", arguments: Kind.allCases)
    func count(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let tasks = try await Self.insertTasks(6, into: store) { index, task in
            task.owner = index < 4 ? "acme" : "other"
            if index == 1 { task.state = .succeeded }
        }
        let unfinished = Set(TaskState.allCases.filter { !$0.isFinished })
        let cases: [(TaskQuery, Int)] = [
            (TaskQuery(), 6),
            (TaskQuery(limit: 4), 4),
            (TaskQuery(owner: "acme"), 4),
            (TaskQuery(states: unfinished, owner: "acme"), 3),
            (TaskQuery(states: unfinished, owner: "acme", limit: 2), 2),
            (TaskQuery(states: unfinished, owner: "nobody"), 0),
            (TaskQuery(tool: "b.y"), 3),
            (TaskQuery(createdBefore: Self.t0 + 2), 2),
            (TaskQuery(after: tasks[2].id), 2),
            (TaskQuery(after: "missing"), 0),
        ]
        for (query, expected) in cases {
            let counted = try await store.count(query)
            #expect(counted == expected, "\(query)")
            #expect(counted == (try await store.list(query).count), "\(query)")
        }
    }

    @Test(
        "claim: due tasks by priority then age, each to one worker, not before runAfter",
        arguments: Kind.allCases)
    func claimOrder(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let low = Self.task(at: 0)
        let high = Self.task(at: 1, priority: 5)
        var later = Self.task(at: 2)
        later.runAfter = Self.t0 + 100
        for task in [low, high, later] { try await store.insert(task) }
        let now = Self.t0 + 10
        let first = try await store.claim(TaskClaim(worker: "w1", limit: 1, lease: .seconds(1000), now: now))
        #expect(first.map(\.id) == [high.id])
        #expect(first.first?.leaseOwner == "w1")
        let second = try await store.claim(TaskClaim(worker: "w2", limit: 5, lease: .seconds(1000), now: now))
        #expect(second.map(\.id) == [low.id], "the leased task and the not-yet-due one stay out")
        let afterwards = try await store.claim(
            TaskClaim(worker: "w3", limit: 5, lease: .seconds(30), now: Self.t0 + 101))
        #expect(afterwards.map(\.id) == [later.id])
    }

    @Test("an expired lease lets another worker take an unfinished task over", arguments: Kind.allCases)
    func takeOver(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let task = Self.task()
        try await store.insert(task)
        var claimed = try #require(
            try await store.claim(TaskClaim(worker: "w1", limit: 1, lease: .seconds(5), now: Self.t0)).first)
        claimed.state = .running
        #expect(try await store.save(claimed, worker: "w1"))
        #expect(
            try await store.claim(TaskClaim(worker: "w2", limit: 1, lease: .seconds(5), now: Self.t0 + 4))
                .isEmpty)
        let taken = try await store.claim(
            TaskClaim(worker: "w2", limit: 1, lease: .seconds(5), now: Self.t0 + 6))
        #expect(taken.map(\.id) == [task.id])
        #expect(taken.first?.state == .running)
        #expect(try await store.save(claimed, worker: "w1") == false, "the old worker's save is refused")
        #expect(try await store.renew([task.id], worker: "w1", until: Self.t0 + 100) == [:])
    }

    @Test(
        "one renewal extends every lease the worker holds, and only those", arguments: Kind.allCases)
    func renewMany(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let tasks = (0..<5).map { Self.task(at: TimeInterval($0)) }
        for task in tasks { try await store.insert(task) }
        let now = Self.t0 + 10
        let mine = try await store.claim(TaskClaim(worker: "w1", limit: 3, lease: .seconds(5), now: now))
        let theirs = try await store.claim(TaskClaim(worker: "w2", limit: 2, lease: .seconds(5), now: now))
        #expect(mine.count == 3 && theirs.count == 2)
        var finished = try #require(mine.last)
        finished.state = .succeeded
        finished.finishedAt = now
        #expect(try await store.save(finished, worker: "w1"))
        #expect(try await store.requestCancel(id: mine[0].id))

        let asked = mine.map(\.id) + theirs.map(\.id) + ["missing"]
        let renewed = try await store.renew(asked, worker: "w1", until: now + 100)
        #expect(
            renewed == [
                mine[0].id: LeaseRenewal(cancelRequested: true),
                mine[1].id: LeaseRenewal(cancelRequested: false),
            ], "held and unfinished only")
        // The renewed leases hold past the claim's 5 s; the other worker's lapse as claimed.
        let later = try await store.claim(
            TaskClaim(worker: "w3", limit: 10, lease: .seconds(5), now: now + 50))
        #expect(Set(later.map(\.id)) == Set(theirs.map(\.id)))
        #expect(try await store.renew([], worker: "w1", until: now + 100) == [:])
    }

    @Test("update times are read for many tasks at once; unknown ids are left out", arguments: Kind.allCases)
    func updateTimes(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let (a, b) = try await Self.insertTwo(into: store)
        var before = try await store.updateTimes([a.id, b.id, "missing"])
        #expect(Set(before.keys) == [a.id, b.id])
        let changed = try #require(
            try await store.update(id: b.id) {
                $0.priority = 5
                $0.updatedAt = Self.t0 + 60
            })
        let after = try await store.updateTimes([a.id, b.id])
        #expect(after[a.id] == before[a.id], "a did not change")
        #expect(after[b.id] != before.removeValue(forKey: b.id), "b changed")
        #expect(
            abs((after[b.id] ?? .distantPast).timeIntervalSince(changed.updatedAt)) < 0.001,
            "the stored updatedAt")
        #expect(try await store.updateTimes([]) == [:])
    }

    @Test("inventory limits count live leases across workers", arguments: Kind.allCases)
    func inventoryLimits(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        for index in 0..<4 { try await store.insert(Self.task("hunyuan.image", at: TimeInterval(index))) }
        try await store.insert(Self.task("fal.image", at: 10))
        let limits = ["hunyuan": 1]
        let first = try await store.claim(
            TaskClaim(
                worker: "w1", limit: 10, lease: .seconds(30), inventoryLimits: limits, now: Self.t0 + 20))
        #expect(first.filter { $0.inventory == "hunyuan" }.count == 1)
        #expect(first.filter { $0.inventory == "fal" }.count == 1)
        let second = try await store.claim(
            TaskClaim(
                worker: "w2", limit: 10, lease: .seconds(30), inventoryLimits: limits, now: Self.t0 + 21))
        #expect(second.isEmpty)
        var done = try #require(first.first { $0.inventory == "hunyuan" })
        done.state = .succeeded
        done.finishedAt = Self.t0 + 22
        #expect(try await store.save(done, worker: "w1"))
        let third = try await store.claim(
            TaskClaim(
                worker: "w2", limit: 10, lease: .seconds(30), inventoryLimits: limits, now: Self.t0 + 23))
        #expect(third.count == 1 && third.first?.inventory == "hunyuan")
    }

    @Test("a cancel request survives the worker's saves and shows in its renewals", arguments: Kind.allCases)
    func cancelRequest(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let task = Self.task()
        try await store.insert(task)
        var claimed = try #require(
            try await store.claim(TaskClaim(worker: "w1", limit: 1, lease: .seconds(30), now: Self.t0)).first)
        #expect(
            try await store.renew([task.id], worker: "w1", until: Self.t0 + 60)
                == [task.id: LeaseRenewal(cancelRequested: false)])
        #expect(try await store.requestCancel(id: task.id))
        claimed.polls = 3
        #expect(try await store.save(claimed, worker: "w1"))
        #expect(
            try await store.renew([task.id], worker: "w1", until: Self.t0 + 60)
                == [task.id: LeaseRenewal(cancelRequested: true)])
        let read = try #require(try await store.task(id: task.id))
        #expect(read.cancelRequested && read.polls == 3)
        #expect(try await store.requestCancel(id: "missing") == false)
    }

    @Test(
        "finishing clears the lease; release lets others take a worker's tasks at once",
        arguments: Kind.allCases)
    func leasesEnd(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let (a, b) = try await Self.insertTwo(into: store)
        let now = Self.t0 + 10
        let claimed = try await store.claim(TaskClaim(worker: "w1", limit: 2, lease: .seconds(300), now: now))
        #expect(claimed.count == 2)
        var finished = try #require(claimed.first { $0.id == a.id })
        finished.state = .failed
        finished.finishedAt = now
        #expect(try await store.save(finished, worker: "w1"))
        let stored = try #require(try await store.task(id: a.id))
        #expect(stored.leaseOwner == nil && stored.leaseExpiresAt == nil)
        #expect(try await store.save(finished, worker: "w1") == false, "a finished task is not written again")
        try await store.release(worker: "w1")  // expires the lease now, long before t0
        let taken = try await store.claim(
            TaskClaim(worker: "w2", limit: 5, lease: .seconds(300), now: now.addingTimeInterval(1)))
        #expect(taken.map(\.id) == [b.id])
    }

    @Test(
        "update changes a task atomically; deleteFinished removes only old finished ones",
        arguments: Kind.allCases)
    func updateAndDelete(_ kind: Kind) async throws {
        let store = try await Self.store(kind)
        let old = Self.task(at: 0)
        let fresh = Self.task(at: 1)
        let open = Self.task(at: 2)
        for task in [old, fresh, open] { try await store.insert(task) }
        for (task, finished) in [(old, Self.t0 + 10), (fresh, Self.t0 + 1000)] {
            let changed = try await store.update(id: task.id) {
                $0.state = .succeeded
                $0.finishedAt = finished
            }
            #expect(changed?.state == .succeeded)
        }
        #expect(try await store.update(id: "missing") { $0.priority = 1 } == nil)
        let deleted = try await store.deleteFinished(before: Self.t0 + 500)
        #expect(deleted.map(\.id) == [old.id])
        #expect(try await store.task(id: old.id) == nil)
        #expect(try await store.task(id: fresh.id) != nil)
        #expect(try await store.task(id: open.id) != nil)
    }
}

/// A path for a new SQLite file in a fresh temporary directory.
func temporarySQLitePath() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pollster-tasks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("tasks.sqlite").path
}
