import Foundation

/// The JSON form of a `TaskRecord` in the SQL stores' `record` column.
///
/// Lease and cancel fields live in their own columns: `decode` takes them from there, so a
/// worker's stale copy of them in the JSON never matters.
enum TaskRecordCoding {
    static func encode(_ task: TaskRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(task), as: UTF8.self)
    }

    static func decode(
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
