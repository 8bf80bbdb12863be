/// The compiled `submit.reconcile`: where the submit carries the client reference and how
/// the job is looked up by it.
public struct ReconcilePlan: Sendable {
    /// Where the submit request carries the reference.
    public enum Tag: Sendable {
        case header(String)
        case query(String)
        case bodyField(String)
    }

    /// Where the reference goes, with its value template; nil when the submit's own templates
    /// use `{reference}`.
    public let tag: (place: Tag, value: Template)?
    /// Lookup URL template.
    public let url: Template
    /// Lookup HTTP method.
    public let method: String
    /// Lookup body template.
    public let body: JSONValue?
    /// The list of jobs in the lookup answer; nil when the answer is the job.
    public let itemsPath: JSONPath?
    /// The field of a job holding the reference.
    public let referencePath: JSONPath?
    /// The task id in the job found, when set.
    public let taskIdPath: JSONPath?
    /// Lookups at most.
    public let attempts: Int
    /// Pause between lookups.
    public let delay: Duration

    private static let key = "adapterConfig.submit.reconcile"

    /// Compiles and checks a reconcile rule.
    /// - Parameter submitUsesReference: whether the submit templates already send `{reference}`.
    /// - Throws: `INVALID_CONFIG` naming the key.
    public init(_ config: ReconcileConfig, submitUsesReference: Bool) throws(PollsterError) {
        let key = Self.key
        if let tag = config.tag {
            let places: [Tag] = [
                tag.header.map(Tag.header), tag.query.map(Tag.query), tag.bodyField.map(Tag.bodyField),
            ].compactMap { $0 }
            guard places.count == 1, let place = places.first else {
                throw PollsterError(
                    .invalidConfig, "\(key).tag: give exactly one of header, query or bodyField")
            }
            let value = try MethodPlan.template(tag.value, key: "\(key).tag.value")
            guard value.usesReference else {
                throw PollsterError(
                    .invalidConfig,
                    "\(key).tag.value: '\(tag.value)' must contain {reference}, or the job cannot be found by it"
                )
            }
            self.tag = (place, value)
        } else {
            guard submitUsesReference else {
                throw PollsterError(
                    .invalidConfig,
                    "\(key): the submit never sends the client reference; add tag: { bodyField: … } (or header/query), or use {reference} in the body, query or headers"
                )
            }
            self.tag = nil
        }
        let lookup = config.lookup
        url = try MethodPlan.template(lookup.url, key: "\(key).lookup.url")
        method = try MethodPlan.httpMethod(lookup.method, key: "\(key).lookup.method")
        if let body = lookup.body { try MethodPlan.checkTemplates(in: body, key: "\(key).lookup.body") }
        body = lookup.body
        itemsPath = try lookup.itemsPath.map { text throws(PollsterError) in
            try MethodPlan.path(text, key: "\(key).lookup.itemsPath")
        }
        referencePath = try lookup.referencePath.map { text throws(PollsterError) in
            try MethodPlan.path(text, key: "\(key).lookup.referencePath")
        }
        taskIdPath = try lookup.taskIdPath.map { text throws(PollsterError) in
            try MethodPlan.path(text, key: "\(key).lookup.taskIdPath")
        }
        if itemsPath == nil, referencePath == nil,
            !url.usesReference
                && !(lookup.body.map { MethodPlan.anyTemplate(in: $0, \.usesReference) } ?? false)
        {
            throw PollsterError(
                .invalidConfig,
                "\(key).lookup: nothing ties the answer to this call; put {reference} in lookup.url (or its body), or give itemsPath and referencePath"
            )
        }
        if itemsPath != nil, referencePath == nil {
            throw PollsterError(
                .invalidConfig,
                "\(key).lookup.referencePath: required with itemsPath, to tell which listed job carries the reference"
            )
        }
        guard (1...10).contains(lookup.attempts) else {
            throw PollsterError(.invalidConfig, "\(key).lookup.attempts: must be 1…10")
        }
        guard lookup.delaySeconds >= 0, lookup.delaySeconds <= 60 else {
            throw PollsterError(.invalidConfig, "\(key).lookup.delaySeconds: must be 0…60")
        }
        attempts = lookup.attempts
        delay = .milliseconds(Int64(lookup.delaySeconds * 1000))
    }

    /// The secrets the lookup and tag templates reference.
    var secretNames: Set<String> {
        var names = Set(url.secretNames)
        if let tag { names.formUnion(tag.value.secretNames) }
        if let body { names.formUnion(MethodPlan.secretNames(in: body)) }
        return names
    }

    /// The job in a lookup answer that carries `reference`, if any.
    public func job(in answer: JSONValue, reference: String) -> JSONValue? {
        guard let itemsPath else {
            guard let referencePath else { return answer }
            return Self.carries(answer, referencePath, reference) ? answer : nil
        }
        guard let referencePath, case .array(let items)? = itemsPath.firstValue(in: answer) else {
            return nil
        }
        return items.first { Self.carries($0, referencePath, reference) }
    }

    /// References shorter than this match only a whole field, never inside a longer text (a
    /// title): a short key such as `42` would be found in the names of other jobs.
    public static let minimumEmbeddedReferenceLength = 16

    /// Whether the field at `path` is the reference, or a text that carries it as a whole word
    /// (`"Launch video (3f2a…)"`, not `"x3f2a…y"`).
    static func carries(_ job: JSONValue, _ path: JSONPath, _ reference: String) -> Bool {
        switch path.firstValue(in: job) {
        case .string(let text)?:
            text == reference
                || reference.count >= minimumEmbeddedReferenceLength && containsWord(reference, in: text)
        case .integer(let number)?: String(number) == reference
        default: false
        }
    }

    private static func containsWord(_ word: String, in text: String) -> Bool {
        let isWordCharacter: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        var rest = text[...]
        while let range = rest.firstRange(of: word) {
            let before =
                range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before.map(isWordCharacter) ?? false) && !(after.map(isWordCharacter) ?? false) {
                return true
            }
            rest = text[text.index(after: range.lowerBound)...]
        }
        return false
    }
}
