import Foundation
import Pollster
import PollsterCore
import PostgresNIO

extension PostgresTaskStore {
    /// What every read selects, in the order `tasks(_:)` decodes.
    static let columns = "id, record::text, lease_owner, lease_expires_at, cancel_requested"

    /// States no worker touches again.
    static let finishedStates = TaskState.allCases.filter(\.isFinished).map(\.rawValue)

    /// States a worker may hold (what claiming looks for, through the `state, run_after` index).
    static let unfinishedStates = TaskState.allCases.filter { !$0.isFinished }.map(\.rawValue)

    /// The tasks of rows selected as `columns`.
    /// - Throws: `TaskStoreError.corrupt` for a row whose record cannot be read.
    static func tasks(_ rows: PostgresRowSequence) async throws -> [TaskRecord] {
        var tasks: [TaskRecord] = []
        for try await row in rows.decode((String, String, String?, Date?, Bool).self) {
            tasks.append(try task(row))
        }
        return tasks
    }

    /// What rows selected as `columns` hold, passing over those whose record cannot be read.
    struct Readable {
        var tasks: [TaskRecord] = []
        /// The ids of the rows passed over.
        var passedOver: [String] = []
        /// The id of the last row, read or not (a list's cursor).
        var lastID: String?
        var rows: Int { tasks.count + passedOver.count }
    }

    /// The readable tasks of rows selected as `columns`; `unreadable` hears of the others.
    static func readable(
        _ rows: PostgresRowSequence, _ unreadable: UnreadableRecords, _ note: UnreadableRecords.Note
    ) async throws -> Readable {
        var readable = Readable()
        for try await row in rows.decode((String, String, String?, Date?, Bool).self) {
            if let task = try unreadable.skipping(note, { try task(row) }) {
                readable.tasks.append(task)
            } else {
                readable.passedOver.append(row.0)
            }
            readable.lastID = row.0
        }
        return readable
    }

    private static func task(_ row: (String, String, String?, Date?, Bool)) throws -> TaskRecord {
        try TaskRecordCoding.decode(
            row.1, id: row.0, leaseOwner: row.2, leaseExpiresAt: row.3, cancelRequested: row.4)
    }

    /// How many rows a statement returned (`RETURNING` stands in for the affected-row count).
    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// Runs `body`, passing on the store's own errors and the errors of `update`'s closure as
    /// they are, and turning database failures into a `PollsterError` naming the server.
    func run<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as TaskStoreError {
            throw error
        } catch let error as PostgresTransactionError {
            if let cause = error.closureError, !(cause is PSQLError), !(cause is PostgresDecodingError) {
                throw cause
            }
            throw DatabaseError.wrap(error, action, url: database.url)
        } catch {
            throw DatabaseError.wrap(error, action, url: database.url)
        }
    }
}
