import OrderedCollections

extension InputSchema {
    static func check(
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
            for (name, member) in members {
                let at = path + [.key(name)]
                if let schema = rules.properties[name] {
                    check(schema, member, at: at, into: &violations)
                } else if case .always(false) = rules.additional {
                    report(unknownProperty(name, known: rules.properties.keys.sorted()), at: at)
                } else if let schema = rules.additional {
                    check(schema, member, at: at, into: &violations)
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
func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
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
func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int? {
    if case .integer(let left) = a, case .integer(let right) = b {
        return left < right ? -1 : (left == right ? 0 : 1)
    }
    guard let left = a.doubleValue, let right = b.doubleValue else { return nil }
    return left < right ? -1 : (left == right ? 0 : 1)
}

/// A value named for a message: `integer 42`, `string "a cat"` (long strings cut), `an object`.
func describe(_ value: JSONValue) -> String {
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
