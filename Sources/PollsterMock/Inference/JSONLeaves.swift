import OrderedCollections
import PollsterCore

/// Walks JSON documents for the inference: every scalar with its path, and paths made general.
enum JSONLeaves {
    /// Every scalar (string, number, bool) of `value` with its path, depth first in document order.
    static func of(_ value: JSONValue, prefix: [JSONPath.Component] = []) -> [(
        path: JSONPath, value: JSONValue
    )] {
        switch value {
        case .object(let members):
            return members.flatMap { key, member in of(member, prefix: prefix + [.key(key)]) }
        case .array(let items):
            return items.enumerated().flatMap { of($0.element, prefix: prefix + [.index($0.offset)]) }
        case .null:
            return []
        default:
            return [(JSONPath(prefix), value)]
        }
    }

    /// Every value (objects and arrays included) with its path, outermost first.
    static func all(_ value: JSONValue, prefix: [JSONPath.Component] = []) -> [(
        path: JSONPath, value: JSONValue
    )] {
        var output = [(JSONPath(prefix), value)]
        switch value {
        case .object(let members):
            for (key, member) in members { output += all(member, prefix: prefix + [.key(key)]) }
        case .array(let items):
            for (index, item) in items.enumerated() { output += all(item, prefix: prefix + [.index(index)]) }
        default: break
        }
        return output
    }

    /// `path` with a key equal to the task id written `{id}` (so it holds for every task), and
    /// with array indices as `[*]` when `wildcards` is set.
    static func general(_ path: JSONPath, taskId: String?, wildcards: Bool = false) -> JSONPath {
        JSONPath(
            path.components.map { component in
                switch component {
                case .key(let key) where key == taskId: .key("{id}")
                case .index where wildcards: .wildcard
                default: component
                }
            })
    }

    /// The first path whose value is exactly `value`.
    static func path(of value: JSONValue, in root: JSONValue?) -> JSONPath? {
        guard let root else { return nil }
        return all(root).first { $0.value == value && !$0.path.components.isEmpty }?.path
    }

    /// The text of a scalar, as the status rules compare it.
    static func text(_ value: JSONValue?) -> String? { value?.scalarText }
}
