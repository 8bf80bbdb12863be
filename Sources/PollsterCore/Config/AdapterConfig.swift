/// How one tool method is called, polled and downloaded (`adapter_config`).
///
/// The minimal legacy form (`headers`, `polling.statusUrl`, `polling.maxWaitSeconds`,
/// `polling.intervalSeconds`, `timeout` in milliseconds) works unchanged; every other
/// key is optional. See docs/configuration.md.
public struct AdapterConfig: Sendable, Hashable, Codable {
    /// Headers sent with every request to the provider (templates allowed).
    public var headers: [String: String]
    /// Legacy per-request timeout in milliseconds.
    public var timeout: Int?
    /// Per-request timeout in seconds (wins over `timeout`); default 60.
    public var timeoutSeconds: Double?
    /// Query parameters added to the submit URL (templates allowed).
    public var query: [String: String]
    /// Request body template; default: the input as the JSON body (query string for GET).
    public var body: JSONValue?
    /// Authentication.
    public var auth: AuthConfig?
    /// Submission rules.
    public var submit: SubmitConfig
    /// Polling; absent means the submit response is the final result.
    public var polling: PollingConfig?
    /// An extra request after success that fetches the final result.
    public var result: ResultConfig?
    /// Output discovery and download.
    public var output: OutputConfig
    /// How to cancel a job at the provider.
    public var cancel: CancelConfig?
    /// The provider's error envelope in 2xx bodies; default Tencent Cloud's `Response.Error`.
    public var errorEnvelope: ErrorEnvelopeConfig?

    /// A config from its parts.
    public init(
        headers: [String: String] = [:], timeout: Int? = nil, timeoutSeconds: Double? = nil,
        query: [String: String] = [:], body: JSONValue? = nil, auth: AuthConfig? = nil,
        submit: SubmitConfig = SubmitConfig(), polling: PollingConfig? = nil, result: ResultConfig? = nil,
        output: OutputConfig = OutputConfig(), cancel: CancelConfig? = nil,
        errorEnvelope: ErrorEnvelopeConfig? = nil
    ) {
        self.headers = headers
        self.timeout = timeout
        self.timeoutSeconds = timeoutSeconds
        self.query = query
        self.body = body
        self.auth = auth
        self.submit = submit
        self.polling = polling
        self.result = result
        self.output = output
        self.cancel = cancel
        self.errorEnvelope = errorEnvelope
    }

    /// The request timeout in effect, in seconds.
    public var effectiveTimeoutSeconds: Double {
        timeoutSeconds ?? timeout.map { Double($0) / 1000 } ?? 60
    }

    static let keys = [
        "headers", "timeout", "timeoutSeconds", "query", "body", "auth", "submit", "polling", "result",
        "output", "cancel", "errorEnvelope",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: Self.keys)
        headers = try c("headers", default: [:])
        timeout = try c("timeout")
        timeoutSeconds = try c("timeoutSeconds")
        query = try c("query", default: [:])
        body = try c("body")
        auth = try c("auth")
        submit = try c("submit", default: SubmitConfig())
        polling = try c("polling")
        result = try c("result")
        output = try c("output", default: OutputConfig())
        cancel = try c("cancel")
        errorEnvelope = try c("errorEnvelope")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("headers", headers, default: [:])
        try c("timeout", timeout)
        try c("timeoutSeconds", timeoutSeconds)
        try c("query", query, default: [:])
        try c("body", body)
        try c("auth", auth)
        try c("submit", submit, default: SubmitConfig())
        try c("polling", polling)
        try c("result", result)
        try c("output", output, default: OutputConfig())
        try c("cancel", cancel)
        try c("errorEnvelope", errorEnvelope)
    }
}

/// Authentication added to requests sent to the provider's own origin.
public struct AuthConfig: Sendable, Hashable, Codable {
    /// `bearer`, `header`, `basic`, `tc3-hmac-sha256` (Tencent Cloud API 3.0) or
    /// `volc-hmac-sha256` (Volcengine, signature v4).
    public var type: String
    /// For `bearer`: the token template, e.g. `${REPLICATE_API_TOKEN}`.
    public var token: String?
    /// For `header`: the header name, e.g. `Authorization`.
    public var name: String?
    /// For `header`: the value template, e.g. `Key ${FAL_KEY}`.
    public var value: String?
    /// For `basic`: user name template.
    public var username: String?
    /// For `basic`: password template.
    public var password: String?
    /// For `tc3-hmac-sha256`: the SecretId template, e.g. `${TENCENTCLOUD_SECRET_ID}`; for
    /// `volc-hmac-sha256`: the AccessKeyId template.
    public var secretId: String?
    /// For `tc3-hmac-sha256`: the SecretKey template; for `volc-hmac-sha256`: the SecretAccessKey.
    public var secretKey: String?
    /// For the signed types: the service in the credential scope; default: the first label of
    /// the host (`volc-hmac-sha256` requires it: `cv` for the visual API).
    public var service: String?
    /// For `volc-hmac-sha256`: the region in the credential scope, e.g. `cn-north-1`.
    public var region: String?

    /// Auth from its parts.
    public init(
        type: String, token: String? = nil, name: String? = nil, value: String? = nil,
        username: String? = nil, password: String? = nil, secretId: String? = nil, secretKey: String? = nil,
        service: String? = nil, region: String? = nil
    ) {
        self.type = type
        self.token = token
        self.name = name
        self.value = value
        self.username = username
        self.password = password
        self.secretId = secretId
        self.secretKey = secretKey
        self.service = service
        self.region = region
    }

    /// The supported `type` values.
    public static let types = ["bearer", "header", "basic", "tc3-hmac-sha256", "volc-hmac-sha256"]

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(
            decoder,
            known: [
                "type", "token", "name", "value", "username", "password", "secretId", "secretKey", "service",
                "region",
            ])
        type = try c.required("type")
        token = try c("token")
        name = try c("name")
        value = try c("value")
        username = try c("username")
        password = try c("password")
        secretId = try c("secretId")
        secretKey = try c("secretKey")
        service = try c("service")
        region = try c("region")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("type", type)
        try c("token", token)
        try c("name", name)
        try c("value", value)
        try c("username", username)
        try c("password", password)
        try c("secretId", secretId)
        try c("secretKey", secretKey)
        try c("service", service)
        try c("region", region)
    }
}

/// Submission rules: where the id is, and when a submit may be repeated.
public struct SubmitConfig: Sendable, Hashable, Codable {
    /// Explicit JSON path of the task id in the submit response.
    public var taskIdPath: String?
    /// A header carrying an idempotency key; when set, submits may be retried with the same key.
    public var idempotencyHeader: String?
    /// HTTP statuses that prove no job was created and may be retried (e.g. 429, 503).
    public var retryOn: [Int]
    /// Attempts at most, counting the first; default 3.
    public var maxAttempts: Int
    /// Retry a submit answered 429 or with a rate-limit envelope code (the request was not
    /// processed); default true.
    public var retryRateLimited: Bool
    /// The longest `Retry-After` a submit waits for, in seconds; default 60.
    public var maxRetryAfterSeconds: Double
    /// How to find the job again when the submit's answer was lost.
    public var reconcile: ReconcileConfig?

    /// Submit rules from their parts.
    public init(
        taskIdPath: String? = nil, idempotencyHeader: String? = nil, retryOn: [Int] = [],
        maxAttempts: Int = 3,
        retryRateLimited: Bool = true, maxRetryAfterSeconds: Double = 60, reconcile: ReconcileConfig? = nil
    ) {
        self.taskIdPath = taskIdPath
        self.idempotencyHeader = idempotencyHeader
        self.retryOn = retryOn
        self.maxAttempts = maxAttempts
        self.retryRateLimited = retryRateLimited
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
        self.reconcile = reconcile
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(
            decoder,
            known: [
                "taskIdPath", "idempotencyHeader", "retryOn", "maxAttempts", "retryRateLimited",
                "maxRetryAfterSeconds", "reconcile",
            ])
        taskIdPath = try c("taskIdPath")
        idempotencyHeader = try c("idempotencyHeader")
        retryOn = try c("retryOn", default: [])
        maxAttempts = try c("maxAttempts", default: 3)
        retryRateLimited = try c("retryRateLimited", default: true)
        maxRetryAfterSeconds = try c("maxRetryAfterSeconds", default: 60)
        reconcile = try c("reconcile")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("taskIdPath", taskIdPath)
        try c("idempotencyHeader", idempotencyHeader)
        try c("retryOn", retryOn, default: [])
        try c("maxAttempts", maxAttempts, default: 3)
        try c("retryRateLimited", retryRateLimited, default: true)
        try c("maxRetryAfterSeconds", maxRetryAfterSeconds, default: 60)
        try c("reconcile", reconcile)
    }
}

/// An extra request after success that fetches the final result (fal's `response_url`).
public struct ResultConfig: Sendable, Hashable, Codable {
    /// URL template, e.g. `{response.response_url}` or `/requests/{id}`.
    public var url: String
    /// HTTP method; default GET.
    public var method: String
    /// Statuses whose JSON error body means the job ran and failed (fal answers a model's
    /// failure after `COMPLETED` this way); default 400 and 422.
    public var failureStatuses: [Int]
    /// Skip the step when the URL's values are missing from the answers (Azure gives
    /// `resourceLocation` only for operations that create a resource): the last status answer is
    /// then the result. Default false: a missing value fails the job.
    public var optional: Bool

    /// The default `failureStatuses`.
    public static let defaultFailureStatuses = [400, 422]

    /// A result step from its parts.
    public init(
        url: String, method: String = "GET", failureStatuses: [Int] = ResultConfig.defaultFailureStatuses,
        optional: Bool = false
    ) {
        self.url = url
        self.method = method
        self.failureStatuses = failureStatuses
        self.optional = optional
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: ["url", "method", "failureStatuses", "optional"])
        url = try c.required("url")
        method = try c("method", default: "GET")
        failureStatuses = try c("failureStatuses", default: Self.defaultFailureStatuses)
        optional = try c("optional", default: false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("url", url)
        try c("method", method, default: "GET")
        try c("failureStatuses", failureStatuses, default: Self.defaultFailureStatuses)
        try c("optional", optional, default: false)
    }
}

/// Output discovery and download.
public struct OutputConfig: Sendable, Hashable, Codable {
    /// Explicit JSON paths of output URLs (wildcards allowed); they win over the search.
    public var paths: [String]?
    /// Download the outputs; default true.
    public var download: Bool
    /// Take every URL found, not just the best group; default false.
    public var all: Bool
    /// Largest download in bytes; default 512 MiB.
    public var maxBytes: Int
    /// Hosts downloads may come from (exact or `*.example.com`); default any public host.
    public var allowHosts: [String]?
    /// A lost output (download failed, refused or too large) fails the invocation with its
    /// code; false makes it a warning and the invocation succeeds without that file. Default true.
    public var failOnDownloadError: Bool
    /// Attempts per download, counting the first (5xx, 429, resets and cut bodies are retried,
    /// resuming with `Range` where the server allows); default 4.
    public var maxAttempts: Int
    /// Outputs downloaded from one answer at most (the rest are listed in a warning); default 64.
    public var maxFiles: Int

    /// The default download limit.
    public static let defaultMaxBytes = 512 * 1024 * 1024

    /// Output rules from their parts.
    public init(
        paths: [String]? = nil, download: Bool = true, all: Bool = false,
        maxBytes: Int = OutputConfig.defaultMaxBytes,
        allowHosts: [String]? = nil, failOnDownloadError: Bool = true, maxAttempts: Int = 4,
        maxFiles: Int = 64
    ) {
        self.paths = paths
        self.download = download
        self.all = all
        self.maxBytes = maxBytes
        self.allowHosts = allowHosts
        self.failOnDownloadError = failOnDownloadError
        self.maxAttempts = maxAttempts
        self.maxFiles = maxFiles
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(
            decoder,
            known: [
                "paths", "download", "all", "maxBytes", "allowHosts", "failOnDownloadError", "maxAttempts",
                "maxFiles",
            ])
        paths = try c("paths")
        download = try c("download", default: true)
        all = try c("all", default: false)
        maxBytes = try c("maxBytes", default: Self.defaultMaxBytes)
        allowHosts = try c("allowHosts")
        failOnDownloadError = try c("failOnDownloadError", default: true)
        maxAttempts = try c("maxAttempts", default: 4)
        maxFiles = try c("maxFiles", default: 64)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("paths", paths)
        try c("download", download, default: true)
        try c("all", all, default: false)
        try c("maxBytes", maxBytes, default: Self.defaultMaxBytes)
        try c("allowHosts", allowHosts)
        try c("failOnDownloadError", failOnDownloadError, default: true)
        try c("maxAttempts", maxAttempts, default: 4)
        try c("maxFiles", maxFiles, default: 64)
    }
}

/// How to cancel a job at the provider (fal `PUT cancel_url`, Runway `DELETE /v1/tasks/{id}`,
/// Replicate `POST urls.cancel`).
public struct CancelConfig: Sendable, Hashable, Codable {
    /// URL template, e.g. `{response.urls.cancel}` or `/v1/tasks/{id}`.
    public var url: String
    /// HTTP method; default POST.
    public var method: String
    /// Body template, if the provider wants one.
    public var body: JSONValue?
    /// Cancel the job when polling times out; default false.
    public var onTimeout: Bool

    /// A cancel rule from its parts.
    public init(url: String, method: String = "POST", body: JSONValue? = nil, onTimeout: Bool = false) {
        self.url = url
        self.method = method
        self.body = body
        self.onTimeout = onTimeout
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: ["url", "method", "body", "onTimeout"])
        url = try c.required("url")
        method = try c("method", default: "POST")
        body = try c("body")
        onTimeout = try c("onTimeout", default: false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("url", url)
        try c("method", method, default: "POST")
        try c("body", body)
        try c("onTimeout", onTimeout, default: false)
    }
}
