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
        self.root = try Compiler(key: key).node(schema, at: [])
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

// MARK: - Compiling

private struct Compiler {
    typealias Node = InputSchema.Node
    typealias Rules = InputSchema.Rules
    typealias Kind = InputSchema.Kind

    static let keywords = [
        "type", "required", "properties", "additionalProperties", "enum", "const", "items", "minItems",
        "maxItems", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "pattern",
    ]
    static let annotations = ["default", "description", "title", "examples", "$schema", "$comment"]
    static let unsupported: Set<String> = [
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref", "$defs", "definitions", "$id",
        "$anchor", "format", "prefixItems", "contains", "minContains", "maxContains", "uniqueItems",
        "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas", "minProperties",
        "maxProperties", "multipleOf", "unevaluatedProperties", "unevaluatedItems", "nullable",
        "readOnly", "writeOnly", "deprecated", "contentMediaType", "contentEncoding",
    ]

    let key: String

    func node(_ value: JSONValue, at path: [JSONPath.Component]) throws(PollsterError) -> Node {
        let members: [String: JSONValue]
        switch value {
        case .bool(let flag): return .always(flag)
        case .object(let object): members = object
        default:
            throw error(path, "must be a JSON Schema (a mapping, or true/false), got \(describe(value))")
        }
        for name in members.keys.sorted()
        where !Self.keywords.contains(name) && !Self.annotations.contains(name) {
            throw error(path + [.key(name)], unknownKeyword(name))
        }
        var rules = Rules()
        for name in members.keys.sorted() {
            let at = path + [.key(name)]
            let member = members[name]!
            switch name {
            case "type": rules.types = try types(member, at: at)
            case "required": rules.required = try names(member, at: at)
            case "properties":
                guard case .object(let properties) = member else {
                    throw error(at, "must map property names to schemas, got \(describe(member))")
                }
                for property in properties.keys.sorted() {
                    rules.properties[property] = try node(properties[property]!, at: at + [.key(property)])
                }
            case "additionalProperties":
                let additional = try node(member, at: at)
                if case .always(true) = additional {} else { rules.additional = additional }
            case "enum":
                guard case .array(let values) = member, !values.isEmpty else {
                    throw error(at, "must be a non-empty list of the allowed values, got \(describe(member))")
                }
                rules.allowed = values
            case "const": rules.constant = member
            case "items":
                if case .array = member {
                    throw error(
                        at, "must be one schema for every item; tuple forms (prefixItems) are not supported")
                }
                rules.items = try node(member, at: at)
            case "minItems": rules.minItems = try count(member, at: at)
            case "maxItems": rules.maxItems = try count(member, at: at)
            case "minLength": rules.minLength = try count(member, at: at)
            case "maxLength": rules.maxLength = try count(member, at: at)
            case "minimum": rules.minimum = try number(member, at: at)
            case "maximum": rules.maximum = try number(member, at: at)
            case "exclusiveMinimum": rules.exclusiveMinimum = try number(member, at: at)
            case "exclusiveMaximum": rules.exclusiveMaximum = try number(member, at: at)
            case "pattern": rules.pattern = try pattern(member, at: at)
            default: break  // annotations
            }
        }
        try checkConsistency(rules, at: path)
        return .rules(rules)
    }

    private func unknownKeyword(_ name: String) -> String {
        let supported = "supported: \(Self.keywords.joined(separator: ", "))"
        if Self.unsupported.contains(name) {
            return
                "the JSON Schema keyword '\(name)' is not supported for input validation; remove it (\(supported))"
        }
        if let suggestion = Spelling.nearest(to: name, in: Self.keywords + Self.annotations) {
            return "unknown JSON Schema keyword '\(name)'; did you mean '\(suggestion)'?"
        }
        return "unknown JSON Schema keyword '\(name)'; \(supported)"
    }

    private func types(_ value: JSONValue, at path: [JSONPath.Component]) throws(PollsterError) -> [Kind] {
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let items) where !items.isEmpty: names = items
        default: throw error(path, "must be a type name or a non-empty list of them, got \(describe(value))")
        }
        var types: [Kind] = []
        let all = Kind.allCases.map(\.rawValue)
        for (index, name) in names.enumerated() {
            let at = value.stringValue == nil ? path + [.index(index)] : path
            guard let text = name.stringValue else {
                throw error(at, "must be a type name (a string), got \(describe(name))")
            }
            guard let type = Kind(rawValue: text) else {
                let hint = Spelling.nearest(to: text, in: all).map { "did you mean '\($0)'? " } ?? ""
                throw error(
                    at,
                    "'\(text)' is not a JSON Schema type; \(hint)use one of \(all.joined(separator: ", "))")
            }
            types.append(type)
        }
        return types
    }

    private func names(_ value: JSONValue, at path: [JSONPath.Component]) throws(PollsterError) -> [String] {
        guard case .array(let items) = value else {
            throw error(path, "must be a list of property names, e.g. [prompt], got \(describe(value))")
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let name = item.stringValue else {
                throw error(
                    path + [.index(index)], "must be a property name (a string), got \(describe(item))")
            }
            guard !names.contains(name) else {
                throw error(path + [.index(index)], "'\(name)' is listed twice")
            }
            names.append(name)
        }
        return names
    }

    private func count(_ value: JSONValue, at path: [JSONPath.Component]) throws(PollsterError) -> Int {
        switch value {
        case .integer(let number) where number >= 0: if let count = Int(exactly: number) { return count }
        case .double(let number) where number >= 0: if let count = Int(exactly: number) { return count }
        default: break
        }
        throw error(path, "must be a whole number ≥ 0, got \(describe(value))")
    }

    private func number(_ value: JSONValue, at path: [JSONPath.Component]) throws(PollsterError) -> JSONValue
    {
        switch value {
        case .integer: return value
        case .double(let number) where number.isFinite: return value
        case .bool:
            throw error(
                path,
                "must be a number: in draft 2020-12 the exclusive bound is the number itself (e.g. exclusiveMinimum: 0), got \(describe(value))"
            )
        default: throw error(path, "must be a number, got \(describe(value))")
        }
    }

    private func pattern(_ value: JSONValue, at path: [JSONPath.Component]) throws(PollsterError) -> String {
        guard let text = value.stringValue else {
            throw error(path, "must be a regular expression (a string), got \(describe(value))")
        }
        do {
            _ = try Regex(text)
        } catch {
            throw self.error(path, "\(JSONWriter.string(value)) is not a valid regular expression: \(error)")
        }
        return text
    }

    private func checkConsistency(_ rules: Rules, at path: [JSONPath.Component]) throws(PollsterError) {
        let pairs: [(String, Int?, String, Int?)] = [
            ("minLength", rules.minLength, "maxLength", rules.maxLength),
            ("minItems", rules.minItems, "maxItems", rules.maxItems),
        ]
        for (lowKey, low, highKey, high) in pairs {
            if let low, let high, low > high {
                throw error(
                    path + [.key(lowKey)], "\(low) is greater than \(highKey) \(high); no value can match")
            }
        }
        if let low = rules.minimum, let high = rules.maximum, let order = compareNumbers(low, high), order > 0
        {
            throw error(
                path + [.key("minimum")],
                "\(low) is greater than maximum \(high); no value can match")
        }
        if case .always(false) = rules.additional {
            for name in rules.required where rules.properties[name] == nil {
                throw error(
                    path + [.key("required")],
                    "'\(name)' is required but additionalProperties: false forbids it; add it to properties")
            }
        }
    }

    private func error(_ path: [JSONPath.Component], _ message: String) -> PollsterError {
        PollsterError(.invalidConfig, "\(InputSchema.render(root: key, path)): \(message)")
    }
}

// MARK: - Validating

extension InputSchema {
    private static func check(
        _ node: Node, _ value: JSONValue, at path: [JSONPath.Component], into violations: inout [Violation]
    ) {
        func report(_ message: String, at location: [JSONPath.Component] = path) {
            violations.append(Violation(path: JSONPath(location), message: message))
        }
        let rules: Rules
        switch node {
        case .always(true): return
        case .always(false): return report("is not allowed here (its schema is false); remove it")
        case .rules(let compiled): rules = compiled
        }
        if let types = rules.types, !types.contains(where: { $0.admits(value) }) {
            return report("must be \(phrase(types)), got \(describe(value))")
        }
        if let allowed = rules.allowed, !allowed.contains(where: { sameValue($0, value) }) {
            let shown = allowed.prefix(10).map(JSONWriter.string).joined(separator: ", ")
            report("must be one of \(shown)\(allowed.count > 10 ? ", …" : ""), got \(describe(value))")
        }
        if let constant = rules.constant, !sameValue(constant, value) {
            report("must be \(JSONWriter.string(constant)), got \(describe(value))")
        }
        switch value {
        case .string(let text):
            let length = text.count
            if let min = rules.minLength, length < min {
                report("must be at least \(plural(min, "character")) long, got \(length)")
            }
            if let max = rules.maxLength, length > max {
                report("must be at most \(plural(max, "character")) long, got \(length)")
            }
            if let pattern = rules.pattern, let regex = try? Regex(pattern), !text.contains(regex) {
                report(
                    "must match the pattern \(JSONWriter.string(.string(pattern))), got \(describe(value))")
            }
        case .integer, .double:
            let bounds: [(JSONValue?, (Int) -> Bool, String)] = [
                (rules.minimum, { $0 >= 0 }, "at least"), (rules.maximum, { $0 <= 0 }, "at most"),
                (rules.exclusiveMinimum, { $0 > 0 }, "greater than"),
                (rules.exclusiveMaximum, { $0 < 0 }, "less than"),
            ]
            for case (let bound?, let holds, let words) in bounds {
                if let order = compareNumbers(value, bound), !holds(order) {
                    report("must be \(words) \(bound), got \(value)")
                }
            }
        case .array(let items):
            if let min = rules.minItems, items.count < min {
                report("must have at least \(plural(min, "item")), got \(items.count)")
            }
            if let max = rules.maxItems, items.count > max {
                report("must have at most \(plural(max, "item")), got \(items.count)")
            }
            if let schema = rules.items {
                for (index, item) in items.enumerated() {
                    check(schema, item, at: path + [.index(index)], into: &violations)
                }
            }
        case .object(let members):
            for name in rules.required where members[name] == nil {
                report("is required but missing", at: path + [.key(name)])
            }
            for name in members.keys.sorted() {
                let at = path + [.key(name)]
                if let schema = rules.properties[name] {
                    check(schema, members[name]!, at: at, into: &violations)
                } else if case .always(false) = rules.additional {
                    report(unknownProperty(name, known: rules.properties.keys.sorted()), at: at)
                } else if let schema = rules.additional {
                    check(schema, members[name]!, at: at, into: &violations)
                }
            }
        case .bool, .null: break
        }
    }

    private static func unknownProperty(_ name: String, known: [String]) -> String {
        if let suggestion = Spelling.nearest(to: name, in: known) {
            return "is not an accepted property; did you mean '\(suggestion)'?"
        }
        if known.isEmpty { return "is not an accepted property; this object takes no properties" }
        let shown = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", …" : "")
        return "is not an accepted property; remove it (accepted: \(shown))"
    }

    private static func phrase(_ types: [Kind]) -> String {
        let phrases = types.map(\.phrase)
        guard phrases.count > 1 else { return phrases.first ?? "" }
        return phrases.dropLast().joined(separator: ", ") + " or " + phrases.last!
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

// MARK: - Values

/// JSON equality where numbers compare by value (`1` equals `1.0`).
private func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.integer, .double), (.double, .integer): compareNumbers(a, b) == 0
    case (.array(let left), .array(let right)):
        left.count == right.count && zip(left, right).allSatisfy { sameValue($0, $1) }
    case (.object(let left), .object(let right)):
        left.count == right.count
            && left.allSatisfy { key, value in right[key].map { sameValue(value, $0) } ?? false }
    default: a == b
    }
}

/// -1, 0 or 1 for two numbers (integers compared exactly); nil when either is not a number.
private func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int? {
    if case .integer(let left) = a, case .integer(let right) = b {
        return left < right ? -1 : (left == right ? 0 : 1)
    }
    guard let left = a.doubleValue, let right = b.doubleValue else { return nil }
    return left < right ? -1 : (left == right ? 0 : 1)
}

/// A value named for a message: `integer 42`, `string "a cat"` (long strings cut), `an object`.
private func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): "boolean \(flag)"
    case .integer(let number): "integer \(number)"
    case .double(let number): "number \(value.scalarText ?? String(number))"
    case .string(let text):
        "string " + JSONWriter.string(.string(text.count > 40 ? String(text.prefix(40)) + "…" : text))
    case .array(let items): "an array of \(items.count) item\(items.count == 1 ? "" : "s")"
    case .object: "an object"
    }
}
