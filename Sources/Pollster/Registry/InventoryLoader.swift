import OrderedCollections
import PollsterCore
import Yams

/// Turns YAML or JSON text into an `InventoryConfig`, with errors that name the file,
/// the key and (for YAML) the line.
public enum InventoryLoader {
    /// Parses one inventory file.
    /// - Parameters:
    ///   - yaml: the file's text (JSON is valid YAML).
    ///   - source: the file name used in error messages.
    /// - Throws: `INVALID_CONFIG`.
    public static func load(yaml: String, source: String) throws(PollsterError) -> InventoryConfig {
        try YAMLAnchorScan.check(yaml, source: source)
        // The parser is kept alive while converting: it owns the anchors, so a node that carries
        // one (the target of every alias) still knows it and is refused before any expansion.
        let parser: Parser
        let node: Node?
        do {
            parser = try Parser(yaml: yaml)
            node = try parser.singleRoot()
        } catch {
            throw PollsterError(.invalidConfig, "\(source): not valid YAML: \(Self.yamlProblem(error))")
        }
        defer { withExtendedLifetime(parser) {} }
        guard let node else { throw PollsterError(.invalidConfig, "\(source): the file is empty") }
        var converter = YAMLConverter(source: source)
        let value = try converter.convert(node, path: JSONPath([]))
        return try decode(value, source: source, lines: converter.lines)
    }

    /// Decodes an inventory from JSON (a `toolset_inventory` row joined with its methods, or an export).
    public static func decode(_ value: JSONValue, source: String, lines: [String: Int] = [:])
        throws(PollsterError)
        -> InventoryConfig
    {
        try decode(InventoryConfig.self, from: value, source: source, lines: lines)
    }

    /// Decodes any config type from JSON (a `tool_methods` row as a `MethodConfig`, …), with the
    /// same messages as files: `source: key.path: what is wrong`.
    /// - Throws: `INVALID_CONFIG`.
    public static func decode<Config: Decodable>(
        _ type: Config.Type, from value: JSONValue, source: String, lines: [String: Int] = [:]
    ) throws(PollsterError) -> Config {
        do {
            return try JSONValueDecoder().decode(Config.self, from: value)
        } catch let error as DecodingError {
            throw PollsterError(.invalidConfig, describe(error, source: source, lines: lines))
        } catch {
            throw PollsterError(.invalidConfig, "\(source): \(error)")
        }
    }

    /// `file:line: key.path: what is wrong`.
    static func describe(_ error: DecodingError, source: String, lines: [String: Int]) -> String {
        let (codingPath, problem): ([any CodingKey], String) =
            switch error {
            case .typeMismatch(let type, let context):
                (context.codingPath, "expected \(typeName(type))")
            case .valueNotFound(let type, let context):
                (context.codingPath, "expected \(typeName(type)), found null")
            case .keyNotFound(let key, let context):
                (context.codingPath, "missing required key '\(key.stringValue)'")
            case .dataCorrupted(let context):
                (context.codingPath, context.debugDescription)
            @unknown default:
                ([], "\(error)")
            }
        let path = JSONPath(
            codingPath.map { $0.intValue.map(JSONPath.Component.index) ?? .key($0.stringValue) })
        var lookup = path
        var line = lines[lookup.description]
        while line == nil, !lookup.components.isEmpty {
            lookup.components.removeLast()
            line = lines[lookup.description]
        }
        let location = line.map { "\(source):\($0)" } ?? source
        return codingPath.isEmpty ? "\(location): \(problem)" : "\(location): \(path): \(problem)"
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String: String].Type: "a mapping of strings"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "a mapping"
        }
    }

    private static func yamlProblem(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}

/// Converts a YAML node tree to `JSONValue`, remembering the line of every path.
///
/// Anchors (`&name`) and aliases (`*name`) are refused: an alias is a shared reference in the
/// node graph, and expanding nested ones multiplies (a few hundred bytes of "billion laughs"
/// took 98 s and 1.2 GB). `YAMLAnchorScan` refuses them before composing; this is the second
/// guard, with a budget of `maximumNodes` nodes.
struct YAMLConverter {
    /// More nodes than any real inventory holds (the shipped ones have a few hundred).
    static let maximumNodes = 100_000

    let source: String
    /// The line of every path converted so far.
    private(set) var lines: [String: Int] = [:]
    private var visited = 0

    init(source: String) { self.source = source }

    mutating func convert(_ node: Node, path: JSONPath) throws(PollsterError) -> JSONValue {
        let line = node.mark?.line ?? 0
        if case .alias = node { throw anchorsRefused(line: line, path: path) }
        if node.anchor != nil { throw anchorsRefused(line: line, path: path) }
        visited += 1
        guard visited <= Self.maximumNodes else {
            throw PollsterError(
                .invalidConfig,
                "\(source):\(line): more than \(Self.maximumNodes) YAML nodes; split the inventory into smaller files"
            )
        }
        if let mark = node.mark { lines[path.description] = mark.line }
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .integer(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members = OrderedDictionary<String, JSONValue>()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key, key.anchor == nil else {
                    throw PollsterError(
                        .invalidConfig,
                        "\(source):\(key.mark?.line ?? 0): \(path): mapping keys must be plain strings")
                }
                let name = keyScalar.string
                if members[name] != nil {
                    throw PollsterError(
                        .invalidConfig,
                        "\(source):\(key.mark?.line ?? 0): \(path.appending(.key(name))): duplicate key")
                }
                members[name] = try convert(value, path: path.appending(.key(name)))
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: path.appending(.index(index))))
            }
            return .array(items)
        case .alias:
            throw anchorsRefused(line: line, path: path)
        }
    }

    private func anchorsRefused(line: Int, path: JSONPath) -> PollsterError {
        PollsterError(
            .invalidConfig,
            "\(source):\(line): \(path): YAML anchors (&name) and aliases (*name) are not supported; repeat the value instead"
        )
    }
}
