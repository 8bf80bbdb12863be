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
    /// - Parameter unreadable: passes over the rows whose record cannot be read (claims, lists,
    ///   retention); without it such a row throws `TaskStoreError.corrupt` (a read by id).
    static func tasks(_ rows: PostgresRowSequence, skipping unreadable: UnreadableRecords? = nil)
        async throws -> [TaskRecord]
    {
        var tasks: [TaskRecord] = []
        for try await (id, record, leaseOwner, leaseExpiresAt, cancelRequested) in rows.decode(
            (String, String, String?, Date?, Bool).self)
        {
            let read = {
                try TaskRecordCoding.decode(
                    record, id: id, leaseOwner: leaseOwner, leaseExpiresAt: leaseExpiresAt,
                    cancelRequested: cancelRequested)
            }
            if let unreadable {
                if let task = try unreadable.skipping(read) { tasks.append(task) }
            } else {
                tasks.append(try read())
            }
        }
        return tasks
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
