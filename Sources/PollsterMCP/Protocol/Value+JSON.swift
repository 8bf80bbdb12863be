import Foundation
import MCP
import OrderedCollections
import PollsterCore

extension Value {
    /// The SDK's JSON value for one of ours (through JSON text, so numbers and strings keep their form).
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let number): self = Int(exactly: number).map(Value.int) ?? .double(Double(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(Value.init))
        case .object(let members):
            self = .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, Value($0.value)) }))
        }
    }

    /// Member `key` of an object.
    subscript(_ key: String) -> Value? {
        objectValue?[key]
    }
}

extension JSONValue {
    /// Our JSON value for one of the SDK's (`data` values become their `data:` URL text). The
    /// SDK's objects are unordered: members are taken in key order, so the same value always
    /// writes the same text.
    init(_ value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .integer(Int64(number))
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .data(let mimeType, let data):
            self = .string(
                "data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let members):
            var ordered = OrderedDictionary<String, JSONValue>(minimumCapacity: members.count)
            for (key, member) in members.sorted(by: { $0.key < $1.key }) { ordered[key] = JSONValue(member) }
            self = .object(ordered)
        }
    }
}
