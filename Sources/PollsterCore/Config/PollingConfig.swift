/// How to poll a submitted job and read its status.
public struct PollingConfig: Sendable, Hashable, Codable {
    /// Status URL template: relative (against `baseUrl`), absolute, or from the submit
    /// response (`{response.urls.get}`). Absent: detected from the submit response or a 202 header.
    public var statusUrl: String?
    /// HTTP method of the status request; default GET.
    public var statusMethod: String
    /// Body template of the status request (for POST status queries).
    public var statusBody: JSONValue?
    /// Extra headers of the status request.
    public var statusHeaders: [String: String]
    /// Seconds between polls, and before the first; default 5.
    public var intervalSeconds: Double
    /// Wall-clock deadline from submit, in seconds; default 300.
    public var maxWaitSeconds: Double
    /// Exponential backoff; absent means a fixed interval.
    public var backoff: BackoffConfig?
    /// Explicit JSON path of the status value.
    public var statusPath: String?
    /// Extra values meaning success (compared case-insensitively).
    public var successValues: [String]?
    /// Extra values meaning failure.
    public var failureValues: [String]?
    /// Extra values meaning still running.
    public var pendingValues: [String]?
    /// Extra values meaning canceled.
    public var canceledValues: [String]?
    /// Status value → `success`, `failure`, `running`, `pending` or `canceled`
    /// (for numeric vocabularies such as Jimeng's `50: success`).
    public var statusMap: [String: String]?
    /// Ordered rules; first match wins. When given, they decide before the defaults.
    public var acceptors: [AcceptorConfig]?
    /// JSON path of a progress number (0–1 or 0–100).
    public var progressPath: String?
    /// JSON path of the provider's error message.
    public var errorPath: String?
    /// Failed polls in a row before giving up; default 5.
    public var maxConsecutiveErrors: Int
    /// How status answers are read: `body` (a status field in JSON), `location` (202 running,
    /// 200/201 done, as for a 202 + `Location` submit) or `auto` (location when the status URL
    /// came from a 202's `Location` header); default auto.
    public var mode: String

    /// Polling from its parts.
    public init(
        statusUrl: String? = nil, statusMethod: String = "GET", statusBody: JSONValue? = nil,
        statusHeaders: [String: String] = [:], intervalSeconds: Double = 5, maxWaitSeconds: Double = 300,
        backoff: BackoffConfig? = nil, statusPath: String? = nil, successValues: [String]? = nil,
        failureValues: [String]? = nil, pendingValues: [String]? = nil, canceledValues: [String]? = nil,
        statusMap: [String: String]? = nil, acceptors: [AcceptorConfig]? = nil, progressPath: String? = nil,
        errorPath: String? = nil,
        maxConsecutiveErrors: Int = 5, mode: String = "auto"
    ) {
        self.statusUrl = statusUrl
        self.statusMethod = statusMethod
        self.statusBody = statusBody
        self.statusHeaders = statusHeaders
        self.intervalSeconds = intervalSeconds
        self.maxWaitSeconds = maxWaitSeconds
        self.backoff = backoff
        self.statusPath = statusPath
        self.successValues = successValues
        self.failureValues = failureValues
        self.pendingValues = pendingValues
        self.canceledValues = canceledValues
        self.statusMap = statusMap
        self.acceptors = acceptors
        self.progressPath = progressPath
        self.errorPath = errorPath
        self.maxConsecutiveErrors = maxConsecutiveErrors
        self.mode = mode
    }

    static let keys = [
        "statusUrl", "statusMethod", "statusBody", "statusHeaders", "intervalSeconds", "maxWaitSeconds",
        "backoff",
        "statusPath", "successValues", "failureValues", "pendingValues", "canceledValues", "statusMap",
        "acceptors",
        "progressPath", "errorPath", "maxConsecutiveErrors", "mode",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: Self.keys)
        statusUrl = try c("statusUrl")
        statusMethod = try c("statusMethod", default: "GET")
        statusBody = try c("statusBody")
        statusHeaders = try c("statusHeaders", default: [:])
        intervalSeconds = try c("intervalSeconds", default: 5)
        maxWaitSeconds = try c("maxWaitSeconds", default: 300)
        backoff = try c("backoff")
        statusPath = try c("statusPath")
        successValues = try c("successValues")
        failureValues = try c("failureValues")
        pendingValues = try c("pendingValues")
        canceledValues = try c("canceledValues")
        statusMap = try c("statusMap")
        acceptors = try c("acceptors")
        progressPath = try c("progressPath")
        errorPath = try c("errorPath")
        maxConsecutiveErrors = try c("maxConsecutiveErrors", default: 5)
        mode = try c("mode", default: "auto")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("statusUrl", statusUrl)
        try c("statusMethod", statusMethod, default: "GET")
        try c("statusBody", statusBody)
        try c("statusHeaders", statusHeaders, default: [:])
        try c("intervalSeconds", intervalSeconds)
        try c("maxWaitSeconds", maxWaitSeconds)
        try c("backoff", backoff)
        try c("statusPath", statusPath)
        try c("successValues", successValues)
        try c("failureValues", failureValues)
        try c("pendingValues", pendingValues)
        try c("canceledValues", canceledValues)
        try c("statusMap", statusMap)
        try c("acceptors", acceptors)
        try c("progressPath", progressPath)
        try c("errorPath", errorPath)
        try c("maxConsecutiveErrors", maxConsecutiveErrors, default: 5)
        try c("mode", mode, default: "auto")
    }
}

/// Exponential backoff with jitter between polls.
public struct BackoffConfig: Sendable, Hashable, Codable {
    /// Growth factor per poll; default 2.
    public var multiplier: Double
    /// Cap on the interval, in seconds; default 60.
    public var maxIntervalSeconds: Double
    /// `full` (uniform between the base interval and the exponential value) or `none`; default full.
    public var jitter: String

    /// Backoff from its parts.
    public init(multiplier: Double = 2, maxIntervalSeconds: Double = 60, jitter: String = "full") {
        self.multiplier = multiplier
        self.maxIntervalSeconds = maxIntervalSeconds
        self.jitter = jitter
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: ["multiplier", "maxIntervalSeconds", "jitter"])
        multiplier = try c("multiplier", default: 2)
        maxIntervalSeconds = try c("maxIntervalSeconds", default: 60)
        jitter = try c("jitter", default: "full")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("multiplier", multiplier)
        try c("maxIntervalSeconds", maxIntervalSeconds)
        try c("jitter", jitter)
    }
}

/// An explicit status rule, in the spirit of AWS Smithy waiters.
///
/// Exactly one matcher (`equals`, `in`, `exists`, `matches`) is given.
public struct AcceptorConfig: Sendable, Hashable, Codable {
    /// The JSON path tested; default: the detected status field.
    public var path: String?
    /// Matches when the value equals this (strings case-insensitively, numbers as strings).
    public var equals: JSONValue?
    /// Matches when the value is one of these.
    public var `in`: [JSONValue]?
    /// Matches when the path exists and is not null (true) or is missing (false).
    public var exists: Bool?
    /// Matches when the value's text matches this regular expression.
    public var matches: String?
    /// `success`, `failure`, `retry` or `canceled`.
    public var state: String
    /// JSON path of a message to report.
    public var message: String?

    /// An acceptor from its parts.
    public init(
        path: String? = nil, equals: JSONValue? = nil, in values: [JSONValue]? = nil, exists: Bool? = nil,
        matches: String? = nil, state: String, message: String? = nil
    ) {
        self.path = path
        self.equals = equals
        self.in = values
        self.exists = exists
        self.matches = matches
        self.state = state
        self.message = message
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(
            decoder, known: ["path", "equals", "in", "exists", "matches", "state", "message"])
        path = try c("path")
        equals = try c("equals")
        self.in = try c("in")
        exists = try c("exists")
        matches = try c("matches")
        state = try c.required("state")
        message = try c("message")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("path", path)
        try c("equals", equals)
        try c("in", self.in)
        try c("exists", exists)
        try c("matches", matches)
        try c("state", state)
        try c("message", message)
    }
}
