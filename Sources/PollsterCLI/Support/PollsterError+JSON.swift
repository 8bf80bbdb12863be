import OrderedCollections
import PollsterCore

extension PollsterError {
    /// The error as machines read it: `{"error": {code, message, exitCode, httpStatus, taskId,
    /// lastStatus, unknownStatuses, provider: {status, body}, requestFingerprint, outputs}}`.
    /// Only the fields that apply are present; every text is already redacted.
    var json: JSONValue {
        var members: OrderedDictionary<String, JSONValue> = [
            "code": .string(code.rawValue), "message": .string(message),
            "exitCode": .integer(Int64(code.exitCode)),
        ]
        if let httpStatus { members["httpStatus"] = .integer(Int64(httpStatus)) }
        if let taskId { members["taskId"] = .string(taskId) }
        if let lastStatus { members["lastStatus"] = .string(lastStatus) }
        if !unknownStatuses.isEmpty {
            members["unknownStatuses"] = .array(unknownStatuses.map(JSONValue.string))
        }
        if let provider {
            members["provider"] = .object([
                "status": .integer(Int64(provider.status)), "body": .string(provider.body),
            ])
        }
        if let requestFingerprint { members["requestFingerprint"] = .string(requestFingerprint) }
        if !outputs.isEmpty { members["outputs"] = .array(outputs.map(JSONValue.string)) }
        return .object(["error": .object(members)])
    }
}
