import OrderedCollections

/// A path into a JSON document: `a.b[0].c`, `a[*].url`, `a["x.y"]`, `items[-1]`.
///
/// A leading `$` or `$.` is accepted and ignored. Paths are parsed once (at config
/// load) and evaluated many times (every poll).
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// An object member.
        case key(String)
        /// An array element; negative counts from the end.
        case index(Int)
        /// Every element of an array or every member of an object.
        case wildcard
    }

    /// The steps, outermost first.
    public var components: [Component]

    /// A path from its steps.
    public init(_ components: [Component]) { self.components = components }

    /// Parses path text.
    /// - Throws: `PollsterError` with code `INVALID_CONFIG` naming the position and what was expected.
    public init(parsing text: String) throws(PollsterError) {
        do {
            components = try JSONPathParser.parse(text)
        } catch {
            throw PollsterError(
                .invalidConfig,
                "invalid JSON path '\(text)': \(error.reason) at character \(error.offset + 1)")
        }
    }

    /// Every value the path selects, in document order (a wildcard takes object members as stored).
    public func values(in root: JSONValue) -> [JSONValue] {
        matches(in: root).map(\.value)
    }

    /// The first value the path selects, if any.
    public func firstValue(in root: JSONValue) -> JSONValue? {
        if !components.contains(.wildcard) { return directValue(in: root) }
        return values(in: root).first
    }

    /// Every selected value with the concrete path that reached it (wildcards resolved).
    public func matches(in root: JSONValue) -> [(path: JSONPath, value: JSONValue)] {
        var results: [(path: JSONPath, value: JSONValue)] = []
        collect(root, from: 0, prefix: [], into: &results)
        return results
    }

    /// True when a key holds the `{id}` placeholder (e.g. `data["{id}"].status`).
    public var usesTaskId: Bool {
        components.contains { if case .key(let key) = $0 { key.contains("{id}") } else { false } }
    }

    /// The path with `{id}` in keys replaced by the task id (unchanged without an id).
    public func binding(taskId: String?) -> JSONPath {
        guard let taskId, usesTaskId else { return self }
        return JSONPath(
            components.map {
                if case .key(let key) = $0 { .key(key.replacing("{id}", with: taskId)) } else { $0 }
            })
    }

    /// A path one step longer.
    public func appending(_ component: Component) -> JSONPath { JSONPath(components + [component]) }

    /// Canonical text: `a.b[0]["x.y"]`.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where JSONPathParser.isPlainKey(key):
                text += text.isEmpty ? key : "." + key
            case .key(let key): text += "[\(JSONWriter.string(.string(key)))]"
            case .index(let index): text += "[\(index)]"
            case .wildcard: text += "[*]"
            }
        }
        return text.isEmpty ? "$" : text
    }

    private func directValue(in root: JSONValue) -> JSONValue? {
        var current = root
        for component in components {
            switch component {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                guard case .array(let items) = current else { return nil }
                let resolved = index < 0 ? items.count + index : index
                guard items.indices.contains(resolved) else { return nil }
                current = items[resolved]
            case .wildcard:
                return nil
            }
        }
        return current
    }

    private func collect(
        _ value: JSONValue, from step: Int, prefix: [Component],
        into results: inout [(path: JSONPath, value: JSONValue)]
    ) {
        guard step < components.count else {
            results.append((JSONPath(prefix), value))
            return
        }
        switch components[step] {
        case .key(let key):
            if let next = value[key] {
                collect(next, from: step + 1, prefix: prefix + [.key(key)], into: &results)
            }
        case .index(let index):
            guard case .array(let items) = value else { return }
            let resolved = index < 0 ? items.count + index : index
            guard items.indices.contains(resolved) else { return }
            collect(items[resolved], from: step + 1, prefix: prefix + [.index(resolved)], into: &results)
        case .wildcard:
            switch value {
            case .array(let items):
                for (index, item) in items.enumerated() {
                    collect(item, from: step + 1, prefix: prefix + [.index(index)], into: &results)
                }
            case .object(let members):
                for (key, member) in members {
                    collect(member, from: step + 1, prefix: prefix + [.key(key)], into: &results)
                }
            default: return
            }
        }
    }
}
