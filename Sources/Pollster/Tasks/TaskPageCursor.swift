import Foundation

/// Where the next page of a task list starts, as the front doors hand it out (the HTTP API's
/// `nextCursor`, MCP's): the last task's id and its creation time, so that the next page
/// continues where it should even when that task is deleted in between (retention, purge).
///
/// The token is `id~seconds since 1970`; a bare task id (what cursors were before) is read as a
/// cursor without a time. While the task exists, its stored place counts, exactly; once it is
/// gone, the time does, as the store compares it (PostgreSQL keeps microseconds, so a task
/// created within a microsecond of the deleted one may be shown twice or left out).
public struct TaskPageCursor: Sendable, Equatable {
    /// The last task of the previous page.
    public var id: String
    /// Its creation time.
    public var createdAt: Date?

    /// The cursor after `task`.
    public init(after task: TaskRecord) {
        id = task.id
        createdAt = task.createdAt
    }

    /// The cursor a token stands for.
    public init(token: String) {
        if let tilde = token.lastIndex(of: "~"),
            let seconds = Double(token[token.index(after: tilde)...]), seconds.isFinite
        {
            id = String(token[..<tilde])
            createdAt = Date(timeIntervalSince1970: seconds)
        } else {
            id = token
            createdAt = nil
        }
    }

    /// The token to hand out.
    public var token: String {
        createdAt.map { "\(id)~\($0.timeIntervalSince1970)" } ?? id
    }
}

extension TaskQuery {
    /// This query, from the page after the cursor `token` (unchanged when nil).
    public func continuing(after token: String?) -> TaskQuery {
        guard let token else { return self }
        let cursor = TaskPageCursor(token: token)
        var query = self
        query.after = cursor.id
        query.afterCreatedAt = cursor.createdAt
        return query
    }
}
