/// What templates can read while a tool method runs.
public struct TemplateContext: Sendable {
    /// The invocation input.
    public var input: JSONValue
    /// The detected provider task id, once known.
    public var taskId: String?
    /// The parsed submit response, once known.
    public var response: JSONValue?
    /// The last parsed status response, once known.
    public var status: JSONValue?
    /// Secret values by name.
    public var secrets: Secrets
    /// The invocation's client reference: a unique key sent with the submit so the job can be
    /// found again (`submit.reconcile`); the same key as the idempotency key.
    public var reference: String? {
        get {
            switch storedReference {
            case .given(let text)?: text
            case .generated(let reference)?: reference.text
            case nil: nil
            }
        }
        set { storedReference = newValue.map(StoredReference.given) }
    }

    /// The reference as given, or made up for the invocation (spelled out when read).
    private enum StoredReference: Sendable {
        case given(String)
        case generated(GeneratedReference)
    }

    private var storedReference: StoredReference?

    /// A context for one invocation.
    public init(
        input: JSONValue, taskId: String? = nil, response: JSONValue? = nil, status: JSONValue? = nil,
        secrets: Secrets, reference: String? = nil
    ) {
        self.input = input
        self.taskId = taskId
        self.response = response
        self.status = status
        self.secrets = secrets
        self.storedReference = reference.map(StoredReference.given)
    }

    /// Uses a reference made up for this invocation (when the caller gave none).
    package mutating func generateReference(using random: inout some RandomNumberGenerator) {
        storedReference = .generated(GeneratedReference(using: &random))
    }

    func secret(_ name: String) throws(PollsterError) -> String {
        guard let value = secrets[name] else {
            throw PollsterError(
                .missingSecret,
                "secret ${\(name)} is not set; export \(name)=… in the environment or add it to the .env file"
            )
        }
        return value
    }

    func value(of placeholder: Template.Placeholder, parseDefault: Bool = false) throws(PollsterError)
        -> JSONValue?
    {
        let found: JSONValue?
        switch placeholder.source {
        case .id: found = taskId.map(JSONValue.string)
        case .reference: found = reference.map(JSONValue.string)
        case .input(let path): found = path.firstValue(in: input)
        case .response(let path): found = response.flatMap { path.firstValue(in: $0) }
        case .status(let path): found = status.flatMap { path.firstValue(in: $0) }
        }
        if let found, !found.isNull { return found }
        guard let defaultText = placeholder.defaultText else { return nil }
        if parseDefault, let parsed = try? JSONParser.parse(defaultText) {
            switch parsed {
            case .integer, .double, .bool, .null: return parsed
            default: break
            }
        }
        return .string(defaultText)
    }

    /// True when a placeholder of `template` has no value here (nor a default), or an empty one.
    package func lacksValue(for template: Template) -> Bool {
        template.segments.contains { segment in
            guard case .placeholder(let placeholder) = segment else { return false }
            guard let found = try? value(of: placeholder) else { return true }
            return found.stringValue?.isEmpty == true
        }
    }

    func missing(_ placeholder: Template.Placeholder, in template: Template) -> PollsterError {
        switch placeholder.source {
        case .id:
            PollsterError(.taskIdNotFound, "'\(template.text)' needs the task id, but none was detected yet")
        case .reference:
            PollsterError(
                .invalidConfig, "'\(template.text)' needs the client reference, which this call has none of")
        case .input(let path):
            PollsterError(
                .invalidInput,
                "input field '\(path)' is required by '\(template.text)'; pass it in the input or give a default as {input.\(path)|value}"
            )
        case .response(let path):
            PollsterError(
                .taskIdNotFound, "the submit response has no '\(path)', which '\(template.text)' needs")
        case .status(let path):
            PollsterError(.taskFailed, "the status response has no '\(path)', which '\(template.text)' needs")
        }
    }
}

/// Secret values by name, resolved from the environment and `.env` files.
///
/// Its `description` never shows values.
public struct Secrets: Sendable, CustomStringConvertible {
    private let values: [String: String]

    /// Secrets from a dictionary.
    public init(_ values: [String: String]) { self.values = values }

    /// The value of a secret, or nil.
    public subscript(name: String) -> String? { values[name] }

    /// The same secrets with `overrides` taking precedence.
    public func merging(_ overrides: [String: String]) -> Secrets {
        Secrets(values.merging(overrides) { _, new in new })
    }

    /// Every value of the given names that is set (for redaction).
    public func values(named names: some Sequence<String>) -> [String] { names.compactMap { values[$0] } }

    public var description: String { "Secrets(\(values.count) names, values hidden)" }
}
