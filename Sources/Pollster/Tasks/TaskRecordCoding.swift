import Foundation

/// The JSON form of a `TaskRecord` in the SQL stores' `record` column (SQLite and PostgreSQL).
///
/// Lease and cancel fields live in their own columns: `decode` takes them from there, so a
/// worker's stale copy of them in the JSON never matters. Dates are seconds since 1970, keys
/// sorted.
package enum TaskRecordCoding {
    /// The JSON text of `task`.
    /// - Throws: an `EncodingError` if the task holds a value JSON cannot represent.
    package static func encode(_ task: TaskRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(task), as: UTF8.self)
    }

    /// The task stored as `json`, with the lease and cancel fields of its columns.
    /// - Parameters:
    ///   - json: the `record` column.
    ///   - id: the row's id, for the error message.
    ///   - leaseOwner: the `lease_owner` column.
    ///   - leaseExpiresAt: the `lease_expires_at` column.
    ///   - cancelRequested: the `cancel_requested` column.
    /// - Throws: `TaskStoreError.corrupt` when `json` is not a stored task.
    package static func decode(
        _ json: String, id: String, leaseOwner: String?, leaseExpiresAt: Date?, cancelRequested: Bool
    ) throws -> TaskRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            var task = try decoder.decode(TaskRecord.self, from: Data(json.utf8))
            task.leaseOwner = leaseOwner
            task.leaseExpiresAt = leaseExpiresAt
            task.cancelRequested = cancelRequested
            return task
        } catch {
            throw TaskStoreError.corrupt(id: id, reason: "\(error)")
        }
    }
}
