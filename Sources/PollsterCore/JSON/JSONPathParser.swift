/// The grammar of `JSONPath` text.
enum JSONPathParser {
    struct Failure: Error {
        var reason: String
        var offset: Int
    }

    /// True when a key can be written without brackets.
    static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty && key != "*" && !key.hasPrefix("$") && !(key.first?.isNumber ?? false)
            && !key.unicodeScalars.contains { "[]\"'. ".unicodeScalars.contains($0) }
    }

    static func parse(_ text: String) throws(Failure) -> [JSONPath.Component] {
        let scalars = Array(text.unicodeScalars)
        var position = 0
        var components: [JSONPath.Component] = []
        if scalars.first == "$" {
            position = 1
            if position < scalars.count, scalars[position] == "." { position += 1 }
        }
        guard !scalars.isEmpty else { throw Failure(reason: "the path is empty", offset: 0) }
        var expectKey = true
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == "[" {
                components.append(try parseBracket(scalars, &position))
                expectKey = false
            } else if scalar == "." {
                guard !expectKey else { throw Failure(reason: "empty key before '.'", offset: position) }
                position += 1
                expectKey = true
                guard position < scalars.count else {
                    throw Failure(reason: "the path ends with '.'", offset: position)
                }
            } else {
                guard expectKey else { throw Failure(reason: "expected '.' or '['", offset: position) }
                let start = position
                while position < scalars.count, scalars[position] != ".", scalars[position] != "[" {
                    if scalars[position] == "]" { throw Failure(reason: "unexpected ']'", offset: position) }
                    position += 1
                }
                var key = String.UnicodeScalarView()
                key.append(contentsOf: scalars[start..<position])
                let name = String(key)
                components.append(name == "*" ? .wildcard : .key(name))
                expectKey = false
            }
        }
        return components
    }

    /// The character a backslash escape in a quoted key stands for, as JSON writes them
    /// (`\n`, `\t`, `\u0007`, …; `JSONPath.description` quotes keys that way); any other escaped
    /// character stands for itself (`\'`, `\"`, `\\`). `position` is at the character after the
    /// backslash and moves past the escape.
    private static func unescape(_ scalars: [Unicode.Scalar], _ position: inout Int) throws(Failure)
        -> Unicode.Scalar
    {
        let escaped = scalars[position]
        position += 1
        switch escaped {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "b": return "\u{8}"
        case "f": return "\u{C}"
        case "u":
            let start = position - 2
            guard let unit = hexUnit(scalars, &position) else {
                throw Failure(reason: "expected four hex digits after \\u", offset: start)
            }
            if (0xD800..<0xDC00).contains(unit), position + 1 < scalars.count, scalars[position] == "\\",
                scalars[position + 1] == "u"
            {
                var next = position + 2
                if let low = hexUnit(scalars, &next), (0xDC00..<0xE000).contains(low) {
                    position = next
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                }
            }
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        default: return escaped
        }
    }

    /// Four hex digits at `position` as a UTF-16 unit; nil (and `position` unchanged) otherwise.
    private static func hexUnit(_ scalars: [Unicode.Scalar], _ position: inout Int) -> UInt32? {
        guard position + 4 <= scalars.count else { return nil }
        var value: UInt32 = 0
        for scalar in scalars[position..<position + 4] {
            guard let digit = Character(scalar).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
        }
        position += 4
        return value
    }

    private static func parseBracket(_ scalars: [Unicode.Scalar], _ position: inout Int) throws(Failure)
        -> JSONPath.Component
    {
        let open = position
        position += 1
        guard position < scalars.count else { throw Failure(reason: "unclosed '['", offset: open) }
        let component: JSONPath.Component
        let first = scalars[position]
        if first == "*" {
            position += 1
            component = .wildcard
        } else if first == "\"" || first == "'" {
            position += 1
            var key = String.UnicodeScalarView()
            while position < scalars.count, scalars[position] != first {
                if scalars[position] == "\\", position + 1 < scalars.count {
                    position += 1
                    key.append(try unescape(scalars, &position))
                } else {
                    key.append(scalars[position])
                    position += 1
                }
            }
            guard position < scalars.count else { throw Failure(reason: "unclosed quoted key", offset: open) }
            position += 1
            component = .key(String(key))
        } else {
            let start = position
            if scalars[position] == "-" { position += 1 }
            while position < scalars.count, ("0"..."9").contains(scalars[position]) { position += 1 }
            var digits = String.UnicodeScalarView()
            digits.append(contentsOf: scalars[start..<position])
            guard let index = Int(String(digits)) else {
                throw Failure(reason: "expected an index, '*' or a quoted key inside '[ ]'", offset: start)
            }
            component = .index(index)
        }
        guard position < scalars.count, scalars[position] == "]" else {
            throw Failure(reason: "expected ']'", offset: position)
        }
        position += 1
        return component
    }
}
