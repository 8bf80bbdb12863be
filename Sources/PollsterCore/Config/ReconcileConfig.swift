/// How to find a job again when its submit answer was lost (`submit.reconcile`).
///
/// Every invocation has a client reference (its idempotency key). The `tag` sends it with the
/// submit where the provider keeps it; the `lookup` asks the provider for the job that carries
/// it. An interrupted submit — a 5xx, a reset or timeout after sending, a worker killed
/// between sending and storing the answer — is then resumed as a normal running job instead of
/// ending `SUBMIT_UNCERTAIN`.
public struct ReconcileConfig: Sendable, Hashable, Codable {
    /// Where the submit carries the reference; absent when the submit templates use
    /// `{reference}` themselves.
    public var tag: ReconcileTag?
    /// The request that finds the job by its reference.
    public var lookup: ReconcileLookup

    /// A reconcile rule from its parts.
    public init(tag: ReconcileTag? = nil, lookup: ReconcileLookup) {
        self.tag = tag
        self.lookup = lookup
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: ["tag", "lookup"])
        tag = try c("tag")
        lookup = try c.required("lookup")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("tag", tag)
        try c("lookup", lookup)
    }
}

/// Where the submit request carries the client reference: exactly one of `header`, `query`
/// or `bodyField`.
public struct ReconcileTag: Sendable, Hashable, Codable {
    /// A request header, e.g. `Operation-Id`.
    public var header: String?
    /// A query parameter.
    public var query: String?
    /// A top-level field of the JSON body (set over the input or the body template), e.g.
    /// `title` or `callback_id`.
    public var bodyField: String?
    /// The value template; default `{reference}`. It must contain `{reference}`, e.g.
    /// `"{input.title|Pollster} ({reference})"` keeps a caller's title readable.
    public var value: String

    /// A tag from its parts.
    public init(
        header: String? = nil, query: String? = nil, bodyField: String? = nil, value: String = "{reference}"
    ) {
        self.header = header
        self.query = query
        self.bodyField = bodyField
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: ["header", "query", "bodyField", "value"])
        header = try c("header")
        query = try c("query")
        bodyField = try c("bodyField")
        value = try c("value", default: "{reference}")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("header", header)
        try c("query", query)
        try c("bodyField", bodyField)
        try c("value", value, default: "{reference}")
    }
}

/// The request that finds a job by its client reference, and where the job is in the answer.
///
/// The job found stands in for the lost submit answer: the task id is detected in it
/// (`taskIdPath`, else `submit.taskIdPath`, else auto-detection) and `{response.x}` reads it.
public struct ReconcileLookup: Sendable, Hashable, Codable {
    /// URL template; `{reference}` and `{input.x}` are available.
    public var url: String
    /// HTTP method; default GET.
    public var method: String
    /// Body template, for providers whose lookup is a POST.
    public var body: JSONValue?
    /// The list of jobs in the answer, e.g. `data.videos`; absent when the answer is the job
    /// itself (a 404 then means "no such job").
    public var itemsPath: String?
    /// The field of a job that holds the reference; a job matches when it equals or contains
    /// the reference. Required with `itemsPath`.
    public var referencePath: String?
    /// The task id in the job found, when it differs from `submit.taskIdPath`.
    public var taskIdPath: String?
    /// Lookups at most before giving up (a job may take a moment to be listed); default 3.
    public var attempts: Int
    /// Seconds between lookups; default 2.
    public var delaySeconds: Double

    /// A lookup from its parts.
    public init(
        url: String, method: String = "GET", body: JSONValue? = nil, itemsPath: String? = nil,
        referencePath: String? = nil, taskIdPath: String? = nil, attempts: Int = 3, delaySeconds: Double = 2
    ) {
        self.url = url
        self.method = method
        self.body = body
        self.itemsPath = itemsPath
        self.referencePath = referencePath
        self.taskIdPath = taskIdPath
        self.attempts = attempts
        self.delaySeconds = delaySeconds
    }

    static let keys = [
        "url", "method", "body", "itemsPath", "referencePath", "taskIdPath", "attempts", "delaySeconds",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: Self.keys)
        url = try c.required("url")
        method = try c("method", default: "GET")
        body = try c("body")
        itemsPath = try c("itemsPath")
        referencePath = try c("referencePath")
        taskIdPath = try c("taskIdPath")
        attempts = try c("attempts", default: 3)
        delaySeconds = try c("delaySeconds", default: 2)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("url", url)
        try c("method", method, default: "GET")
        try c("body", body)
        try c("itemsPath", itemsPath)
        try c("referencePath", referencePath)
        try c("taskIdPath", taskIdPath)
        try c("attempts", attempts, default: 3)
        try c("delaySeconds", delaySeconds, default: 2)
    }
}
