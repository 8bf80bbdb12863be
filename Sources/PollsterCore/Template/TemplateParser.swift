/// The grammar of `Template` text.
enum TemplateParser {
    static func parse(_ text: String) throws(PollsterError) -> [Template.Segment] {
        var segments: [Template.Segment] = []
        var literal = ""
        var rest = Substring(text)
        func flush() {
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = ""
        }
        while let first = rest.first {
            if rest.hasPrefix("{{") || rest.hasPrefix("}}") {
                literal.append(first)
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("${"), let close = rest.firstIndex(of: "}") {
                let name = String(rest[rest.index(rest.startIndex, offsetBy: 2)..<close])
                guard isSecretName(name) else {
                    throw PollsterError(
                        .invalidConfig,
                        "'${\(name)}' in '\(text)' is not a valid secret reference; use ${NAME} with letters, digits and _"
                    )
                }
                flush()
                segments.append(.secret(name))
                rest = rest[rest.index(after: close)...]
            } else if first == "{", let close = rest.firstIndex(of: "}"),
                let placeholder = try placeholder(
                    String(rest[rest.index(after: rest.startIndex)..<close]), in: text)
            {
                flush()
                segments.append(.placeholder(placeholder))
                rest = rest[rest.index(after: close)...]
            } else {
                literal.append(first)
                rest = rest.dropFirst()
            }
        }
        flush()
        return segments
    }

    private static func isSecretName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }

    /// Parses the inside of `{…}`; nil when it does not look like a placeholder at all
    /// (then the braces are literal text, as in a JSON snippet).
    private static func placeholder(_ body: String, in text: String) throws(PollsterError) -> Template
        .Placeholder?
    {
        let parts = body.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let expression = String(parts[0])
        let defaultText = parts.count > 1 ? String(parts[1]) : nil
        guard let first = expression.unicodeScalars.first, first.properties.isAlphabetic,
            !expression.contains(" "), !expression.contains(":") || expression.contains("[")
        else { return nil }
        let root: Substring
        let pathText: Substring?
        if let split = expression.firstIndex(where: { $0 == "." || $0 == "[" }) {
            root = expression[..<split]
            let after = expression[split...]
            pathText = after.first == "." ? after.dropFirst() : after
        } else {
            root = Substring(expression)
            pathText = nil
        }
        func path() throws(PollsterError) -> JSONPath {
            guard let pathText, !pathText.isEmpty else {
                throw PollsterError(
                    .invalidConfig, "'{\(body)}' in '\(text)' needs a path, e.g. {\(root).field}")
            }
            return try JSONPath(parsing: String(pathText))
        }
        let source: Template.Source
        switch root {
        case "id", "taskId":
            guard pathText == nil else {
                throw PollsterError(.invalidConfig, "'{\(body)}' in '\(text)': {id} takes no path")
            }
            source = .id
        case "reference":
            guard pathText == nil else {
                throw PollsterError(.invalidConfig, "'{\(body)}' in '\(text)': {reference} takes no path")
            }
            source = .reference
        case "input": source = .input(try path())
        case "response": source = .response(try path())
        case "status": source = .status(try path())
        default:
            throw PollsterError(
                .invalidConfig,
                "unknown placeholder '{\(body)}' in '\(text)'; use {id}, {reference}, {input.x}, {response.x} or {status.x} (write {{ for a literal brace)"
            )
        }
        return Template.Placeholder(source: source, defaultText: defaultText)
    }
}
