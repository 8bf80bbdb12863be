/// A JSON Schema for tool inputs, compiled once when the config loads and checked before
/// anything is sent.
///
/// Supports the part of JSON Schema draft 2020-12 that tool inputs use: `type`, `required`,
/// `properties`, `additionalProperties`, `enum`, `const`, `items`, `minItems`/`maxItems`,
/// `minLength`/`maxLength` (counted in characters), `minimum`/`maximum`/`exclusiveMinimum`/
/// `exclusiveMaximum` and `pattern` (a Swift `Regex`, matched anywhere in the string). The
/// annotations `default`, `description`, `title`, `examples`, `$schema` and `$comment` are
/// ignored. Any other keyword is a compile error, so a typo such as `requred` is reported when
/// the config loads instead of silently accepting every input.
///
/// ```swift
/// let schema = try InputSchema(compiling: ["type": "object", "required": ["prompt"]])
/// schema.validate(["prompt": "a cat"])  // []
/// schema.validate([:]).map(\.description)  // ["input.prompt: is required but missing"]
/// ```
public struct InputSchema: Sendable {
    /// One way an input breaks the schema.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// Where the offending value is (for a missing property: where it belongs), relative to
        /// the input; empty for the input itself.
        public var path: JSONPath
        /// What is wrong and what to change.
        public var message: String

        /// A violation from its parts.
        public init(path: JSONPath, message: String) {
            self.path = path
            self.message = message
        }

        /// The path rooted at `input`: `input`, `input.prompt`, `input.images[2]`.
        public var location: String { InputSchema.render(root: "input", path.components) }

        /// `location: message`.
        public var description: String { "\(location): \(message)" }
    }

    /// The schema as configured.
    public let schema: JSONValue
    private let root: Node

    /// Compiles a schema.
    /// - Parameters:
    ///   - schema: a JSON Schema object (or `true`/`false`).
    ///   - key: how errors name the schema's root, e.g. `requestSchema`.
    /// - Throws: `INVALID_CONFIG` naming the keyword with its path (`requestSchema.properties.n.type: …`).
    public init(compiling schema: JSONValue, key: String = "schema") throws(PollsterError) {
        self.schema = schema
        self.root = try InputSchemaCompiler(key: key).node(schema, at: [])
    }

    /// Every violation of the schema by `input`; empty when the input is valid. Within an object,
    /// missing required properties come first (in `required` order), then members by name.
    public func validate(_ input: JSONValue) -> [Violation] {
        var violations: [Violation] = []
        Self.check(root, input, at: [], into: &violations)
        return violations
    }

    /// `location: message` of each violation joined by `; `, at most `limit` of them, then `and N more`.
    public static func summary(of violations: [Violation], limit: Int = 10) -> String {
        let shown = violations.prefix(max(1, limit)).map(\.description)
        let rest = violations.count - shown.count
        return (shown + (rest > 0 ? ["and \(rest) more"] : [])).joined(separator: "; ")
    }

    /// False when the root schema's `type` rules out objects (so no tool input can match).
    var acceptsObjects: Bool {
        if case .rules(let rules) = root, let types = rules.types { return types.contains(.object) }
        if case .always(let flag) = root { return flag }
        return true
    }

    /// `root`, `root.a.b`, `root[2]`, `root["x.y"]`.
    static func render(root: String, _ components: [JSONPath.Component]) -> String {
        guard !components.isEmpty else { return root }
        let tail = JSONPath(components).description
        return tail.hasPrefix("[") ? root + tail : root + "." + tail
    }
}

// MARK: - Compiled form

extension InputSchema {
    /// The JSON types a schema can name.
    enum Kind: String, Sendable, CaseIterable {
        case object, array, string, integer, number, boolean, null

        func admits(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.object, .object), (.array, .array), (.string, .string), (.boolean, .bool), (.null, .null),
                (.integer, .integer), (.number, .integer), (.number, .double):
                true
            case (.integer, .double(let number)): number.isFinite && number == number.rounded(.towardZero)
            default: false
            }
        }

        var phrase: String {
            switch self {
            case .object, .array, .integer: "an \(rawValue)"
            case .null: "null"
            default: "a \(rawValue)"
            }
        }
    }

    /// A compiled (sub)schema: `true`/`false`, or a set of rules.
    indirect enum Node: Sendable {
        case always(Bool)
        case rules(Rules)
    }

    /// The keywords of one schema object, checked and converted.
    struct Rules: Sendable {
        var types: [Kind]?
        var required: [String] = []
        var properties: [String: Node] = [:]
        /// nil allows any additional property.
        var additional: Node?
        var allowed: [JSONValue]?
        var constant: JSONValue?
        var items: Node?
        var minItems: Int?
        var maxItems: Int?
        var minLength: Int?
        var maxLength: Int?
        var minimum: JSONValue?
        var maximum: JSONValue?
        var exclusiveMinimum: JSONValue?
        var exclusiveMaximum: JSONValue?
        /// Kept as text because `Regex` is not `Sendable`; compiled once at load to check it.
        var pattern: String?
    }
}
