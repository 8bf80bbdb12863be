import OrderedCollections

/// Turns a schema's JSON into `InputSchema.Node`s, refusing what it does not support.
struct InputSchemaCompiler {
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
        let members: OrderedDictionary<String, JSONValue>
        switch value {
        case .bool(let flag): return .always(flag)
        case .object(let object): members = object
        default:
            throw error(path, "must be a JSON Schema (a mapping, or true/false), got \(describe(value))")
        }
        for name in members.keys where !Self.keywords.contains(name) && !Self.annotations.contains(name) {
            throw error(path + [.key(name)], unknownKeyword(name))
        }
        var rules = Rules()
        for (name, member) in members {
            let at = path + [.key(name)]
            switch name {
            case "type": rules.types = try types(member, at: at)
            case "required": rules.required = try names(member, at: at)
            case "properties":
                guard case .object(let properties) = member else {
                    throw error(at, "must map property names to schemas, got \(describe(member))")
                }
                for (property, schema) in properties {
                    rules.properties[property] = try node(schema, at: at + [.key(property)])
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
