import Foundation
import GRDB
import Pollster
import PollsterCore
import PollsterPostgres
import PollsterSQLite
import PostgresNIO
import Testing

/// A task row whose record cannot be read (edited by hand, written by another version) must not
/// stop the workers: claims pass over it, and reading it says which task it is.
@Suite("Task stores: an unreadable record", .postgresStores)
struct UnreadableRecordTests {
    @Test(
        "claims and lists pass over a task whose stored record cannot be read; reading it names the task",
        arguments: [TaskStoreTests.Kind.sqlite, .postgres])
    func claimPassesOver(_ kind: TaskStoreTests.Kind) async throws {
        let path = try temporarySQLitePath()
        let store: any TaskStore =
            kind == .sqlite
            ? try SQLiteTaskStore(path: path, logger: quietLogger) : try await PostgresStores.make()
        // Claim order: broken (priority), older, newer; list order: newer, broken, older.
        let older = TaskStoreTests.task(at: 0)
        let broken = TaskStoreTests.task(at: 1, priority: 5)
        let newer = TaskStoreTests.task(at: 2)
        for task in [older, broken, newer] { try await store.insert(task) }
        // Valid JSON, not a task: what a hand edit or an incompatible version leaves.
        let record = #"{"id": "\#(broken.id)", "state": "queued"}"#
        switch store {
        case is SQLiteTaskStore:
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(
                    sql: "UPDATE pollster_tasks SET record = ? WHERE id = ?", arguments: [record, broken.id])
            }
        case let postgres as PostgresTaskStore:
            _ = try await postgres.database.client.query(
                "UPDATE pollster_tasks SET record = \(record)::jsonb WHERE id = \(broken.id)",
                logger: quietLogger
            ).collect()
        default:
            Issue.record("no way to write a raw row into \(store)")
        }

        let now = TaskStoreTests.t0 + 10
        let first = try await store.claim(TaskClaim(worker: "w1", limit: 1, lease: .seconds(30), now: now))
        #expect(first.map(\.id) == [older.id], "a claim of one goes on past the broken task first in line")
        let again = try await store.claim(TaskClaim(worker: "w2", limit: 5, lease: .seconds(30), now: now))
        #expect(again.map(\.id) == [newer.id], "every later claim passes over it too")

        let page = try await store.list(TaskQuery(limit: 2))
        #expect(page.map(\.id) == [newer.id, older.id], "a page is filled from past the broken task")
        let next = try await store.list(TaskQuery(limit: 1, after: newer.id))
        #expect(next.map(\.id) == [older.id])

        let error = await #expect(throws: TaskStoreError.self) { try await store.task(id: broken.id) }
        #expect(error?.description.contains(broken.id) == true, "\(String(describing: error))")
        #expect(error?.description.contains("repair its row or delete it") == true)
    }
}
