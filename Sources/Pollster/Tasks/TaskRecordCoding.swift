import Foundation
import OrderedCollections
import PollsterCore

/// The JSON form of a `TaskRecord` in the SQL stores' `record` column (SQLite and PostgreSQL).
///
/// Lease and cancel fields live in their own columns: `decode` takes them from there, so a
/// worker's stale copy of them in the JSON never matters. Dates are seconds since 1970.
///
/// The JSON the user or the provider wrote — the input, the job's result, the result's data —
/// keeps its member order: a worker sends the stored input to the provider as a direct invoke
/// would. `JSONEncoder` and `JSONDecoder` lose that order (swift-foundation keeps an object's
/// members in a `Dictionary`), so those values are written by `JSONWriter` over what the encoder
/// wrote; a record is read by `JSONParser` and `JSONValueDecoder`, which keep the order.
package enum TaskRecordCoding {
    /// Reads records as `JSONEncoder` with `.secondsSince1970` wrote them (`Data` as base64).
    private static let decoder = JSONValueDecoder(options: .init(datesSince1970: true, base64Data: true))

    /// The JSON text of `task`.
    /// - Throws: an `EncodingError` if the task holds a value JSON cannot represent.
    package static func encode(_ task: TaskRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        var record = try JSONParser.parse(try encoder.encode(task))
        record.replace("input", with: task.input)
        if let result = task.checkpoint?.result { record.replace("checkpoint", "result", with: result) }
        if let data = task.result?.data { record.replace("result", "data", with: data) }
        return JSONWriter.string(record)
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
        do {
            // One parse; the JSON values inside keep their member order as they are read.
            var task = try decoder.decode(TaskRecord.self, from: try JSONParser.parse(Array(json.utf8)))
            task.leaseOwner = leaseOwner
            task.leaseExpiresAt = leaseExpiresAt
            task.cancelRequested = cancelRequested
            return task
        } catch {
            throw TaskStoreError.corrupt(id: id, reason: "\(error)")
        }
    }
}

extension JSONValue {
    /// Puts `value` at the member path `keys` of objects, where a member is already (the place
    /// `JSONEncoder` wrote it in).
    fileprivate mutating func replace(_ keys: String..., with value: JSONValue) {
        replace(keys[...], with: value)
    }

    private mutating func replace(_ keys: ArraySlice<String>, with value: JSONValue) {
        guard let key = keys.first, case .object(var members) = self, var member = members[key] else {
            return
        }
        if keys.count == 1 {
            member = value
        } else {
            member.replace(keys.dropFirst(), with: value)
        }
        members[key] = member
        self = .object(members)
    }
}
