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
                if scalars[position] == "\\", position + 1 < scalars.count { position += 1 }
                key.append(scalars[position])
                position += 1
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
