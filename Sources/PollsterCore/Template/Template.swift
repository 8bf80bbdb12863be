/// A string with placeholders, parsed once and rendered per request.
///
/// - `${NAME}` is a secret, resolved from `TemplateContext.secrets` at request time.
/// - `{id}` is the detected task id; `{reference}` the client reference (`submit.reconcile`).
/// - `{input.x}`, `{response.x}`, `{status.x}` read JSON paths from the invocation input,
///   the submit response and the last status response.
/// - `{x|default}` gives a default when the value is missing.
/// - `{{` and `}}` are literal braces. Braces that do not form a placeholder stay literal.
///
/// A template that is exactly one placeholder keeps the value's JSON type when rendered
/// as JSON, and inserts it unencoded when rendered as a URL (so `{response.urls.get}`
/// can be a whole URL). Everywhere else URL values are percent-encoded, so ids and inputs
/// cannot inject path segments or query parameters.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    /// Where a placeholder reads from.
    public enum Source: Sendable, Hashable {
        case id
        /// The invocation's client reference (see `submit.reconcile`).
        case reference
        case input(JSONPath)
        case response(JSONPath)
        case status(JSONPath)
    }

    /// A `{…}` placeholder.
    public struct Placeholder: Sendable, Hashable {
        /// What it reads.
        public var source: Source
        /// The text after `|`, if any.
        public var defaultText: String?
    }

    /// A piece of a template.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case secret(String)
        case placeholder(Placeholder)
    }

    /// How rendered values are escaped.
    public enum Encoding: Sendable {
        /// Percent-encode values (RFC 3986 unreserved characters pass).
        case url
        /// Insert values as they are, but refuse CR, LF and NUL (header injection).
        case header
        /// Insert values as they are.
        case plain
    }

    /// The parsed pieces.
    public let segments: [Segment]
    /// The original text.
    public let text: String

    /// Parses a template.
    /// - Throws: `INVALID_CONFIG` for an unknown placeholder source or a bad path.
    public init(parsing text: String) throws(PollsterError) {
        self.text = text
        self.segments = try TemplateParser.parse(text)
    }

    /// True when the template has no placeholders or secrets.
    public var isLiteral: Bool { segments.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// The secret names the template references.
    public var secretNames: [String] {
        segments.compactMap { if case .secret(let name) = $0 { name } else { nil } }
    }

    /// True when the template reads `{id}`.
    public var usesTaskId: Bool {
        segments.contains { if case .placeholder(let p) = $0, p.source == .id { true } else { false } }
    }

    /// True when the template reads the last status answer (`{status.…}`).
    public var usesStatus: Bool {
        segments.contains {
            if case .placeholder(let p) = $0, case .status = p.source { true } else { false }
        }
    }

    /// True when the template reads `{reference}`.
    public var usesReference: Bool {
        segments.contains { if case .placeholder(let p) = $0, p.source == .reference { true } else { false } }
    }

    /// The single placeholder when the template is exactly one, else nil.
    public var singlePlaceholder: Placeholder? {
        if segments.count == 1, case .placeholder(let placeholder) = segments[0] { return placeholder }
        return nil
    }

    public var description: String { text }

    /// Renders to a string.
    /// - Throws: `MISSING_SECRET` for an unset secret; `INVALID_INPUT` for a missing value
    ///   without default or a header value with CR/LF.
    public func render(_ context: TemplateContext, encoding: Encoding) throws(PollsterError) -> String {
        if encoding == .url, let placeholder = singlePlaceholder {
            guard let value = try context.value(of: placeholder), let text = value.scalarText else {
                throw context.missing(placeholder, in: self)
            }
            return try checkedHeader(text)
        }
        var output = ""
        for segment in segments {
            switch segment {
            case .literal(let literal): output += literal
            case .secret(let name):
                let secret = try context.secret(name)
                output += encoding == .url ? PercentEncoding.encode(secret) : secret
            case .placeholder(let placeholder):
                guard let value = try context.value(of: placeholder) else {
                    throw context.missing(placeholder, in: self)
                }
                let text = value.scalarText ?? JSONWriter.string(value)
                output += encoding == .url ? PercentEncoding.encode(text) : text
            }
        }
        return encoding == .plain ? output : try checkedHeader(output)
    }

    /// Renders to JSON: a single placeholder keeps its type; returns nil when a single
    /// placeholder has no value and no default (the caller omits the field).
    public func renderJSON(_ context: TemplateContext) throws(PollsterError) -> JSONValue? {
        if let placeholder = singlePlaceholder {
            if let value = try context.value(of: placeholder, parseDefault: true) { return value }
            return nil
        }
        return .string(try render(context, encoding: .plain))
    }

    private func checkedHeader(_ text: String) throws(PollsterError) -> String {
        if text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) {
            throw PollsterError(
                .invalidInput,
                "the value for '\(self.text)' contains a line break or NUL; such values are refused")
        }
        return text
    }
}

extension Template.Encoding: Equatable {}
