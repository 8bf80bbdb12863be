import OrderedCollections

/// The compiled, validated form of a `MethodConfig`: templates and paths parsed once.
public struct MethodPlan: Sendable {
    /// The submit request.
    public struct Submit: Sendable {
        /// HTTP method.
        public let method: String
        /// Endpoint template (relative or absolute).
        public let endpoint: Template
        /// Query parameter templates, sorted by name.
        public let query: [(name: String, value: Template)]
        /// Body template; nil sends the input as it is.
        public let body: JSONValue?
        /// Explicit task id path.
        public let taskIdPath: JSONPath?
        /// Idempotency key header name.
        public let idempotencyHeader: String?
        /// Statuses that may be retried.
        public let retryOn: Set<Int>
        /// Attempts at most.
        public let maxAttempts: Int
        /// Retry answers that say "rate limited, not processed".
        public let retryRateLimited: Bool
        /// The longest `Retry-After` honoured.
        public let maxRetryAfter: Duration
        /// How to find the job again when the answer was lost.
        public let reconcile: ReconcilePlan?
    }

    /// The result step.
    public struct Result: Sendable {
        /// URL template.
        public let url: Template
        /// HTTP method.
        public let method: String
        /// Statuses whose JSON error body is the job's failure.
        public let failureStatuses: Set<Int>
        /// Skipped when the URL's values are missing (`result.optional`).
        public let optional: Bool
    }

    /// The cancel request.
    public struct Cancel: Sendable {
        /// URL template.
        public let url: Template
        /// HTTP method.
        public let method: String
        /// Body template.
        public let body: JSONValue?
        /// Cancel when polling times out.
        public let onTimeout: Bool
    }

    /// The submit request.
    public let submit: Submit
    /// Headers for every request, sorted by name.
    public let headers: [(name: String, value: Template)]
    /// Authentication.
    public let auth: AuthPlan?
    /// Polling; nil for synchronous methods.
    public let polling: PollingPlan?
    /// The result step.
    public let result: Result?
    /// Output rules.
    public let output: OutputPlan
    /// Cancelling; nil when the provider cannot cancel.
    public let cancel: Cancel?
    /// Per-request timeout.
    public let requestTimeout: Duration
    /// Every secret name any template references.
    public let secretNames: Set<String>
    /// The compiled `requestSchema`; inputs are checked against it before anything is sent.
    public let inputSchema: InputSchema?
    /// The provider's error envelope in 2xx bodies.
    public let envelope: ErrorEnvelope

    static let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    /// Compiles a method config.
    /// - Throws: `INVALID_CONFIG` naming the key.
    public init(method: MethodConfig, baseUrl: String?) throws(PollsterError) {
        guard ToolName.isValidPart(method.name) else {
            throw PollsterError(
                .invalidConfig, "name: '\(method.name)' is not valid; use letters, digits, '_' and '-'")
        }
        guard method.adapterType == "http" else {
            throw PollsterError(
                .invalidConfig, "adapterType: '\(method.adapterType)' is not supported; use http")
        }
        inputSchema = try Self.inputSchema(method.requestSchema)
        let config = method.adapterConfig
        let submitMethod = try Self.httpMethod(method.httpMethod, key: "httpMethod")
        try Self.refuseUserinfo(baseUrl, key: "baseUrl")
        try Self.refuseUserinfo(method.endpoint, key: "endpoint")
        try Self.refuseUserinfo(config.polling?.statusUrl, key: "adapterConfig.polling.statusUrl")
        try Self.refuseUserinfo(config.result?.url, key: "adapterConfig.result.url")
        try Self.refuseUserinfo(config.cancel?.url, key: "adapterConfig.cancel.url")
        let endpoint = try Self.template(method.endpoint, key: "endpoint")
        if baseUrl == nil, !endpoint.text.hasPrefix("http://"), !endpoint.text.hasPrefix("https://"),
            endpoint.singlePlaceholder == nil
        {
            throw PollsterError(
                .invalidConfig,
                "endpoint: '\(method.endpoint)' is relative but the inventory has no baseUrl; set baseUrl or use an absolute URL"
            )
        }
        let query = try Self.templates(config.query, key: "adapterConfig.query")
        guard (1...10).contains(config.submit.maxAttempts) else {
            throw PollsterError(.invalidConfig, "adapterConfig.submit.maxAttempts: must be 1…10")
        }
        if let body = config.body { try Self.checkTemplates(in: body, key: "adapterConfig.body") }
        let headers = try Self.templates(config.headers, key: "adapterConfig.headers")
        self.headers = headers
        let reconcile = try config.submit.reconcile.map { reconcile throws(PollsterError) in
            let submitUsesReference =
                endpoint.usesReference || (query + headers).contains { $0.value.usesReference }
                || config.body.map { Self.anyTemplate(in: $0, \.usesReference) } ?? false
            let plan = try ReconcilePlan(reconcile, submitUsesReference: submitUsesReference)
            if case (.bodyField, _)? = plan.tag, config.body == nil,
                submitMethod == "GET" || submitMethod == "DELETE"
            {
                throw PollsterError(
                    .invalidConfig,
                    "adapterConfig.submit.reconcile.tag.bodyField: a \(submitMethod) submit sends no JSON body; use tag.query or tag.header"
                )
            }
            return plan
        }
        submit = Submit(
            method: submitMethod,
            endpoint: endpoint,
            query: query,
            body: config.body,
            taskIdPath: try config.submit.taskIdPath.map { path throws(PollsterError) in
                try Self.path(path, key: "adapterConfig.submit.taskIdPath")
            },
            idempotencyHeader: config.submit.idempotencyHeader,
            retryOn: Set(config.submit.retryOn),
            maxAttempts: config.submit.maxAttempts,
            retryRateLimited: config.submit.retryRateLimited,
            maxRetryAfter: .milliseconds(Int64(max(0, config.submit.maxRetryAfterSeconds) * 1000)),
            reconcile: reconcile
        )
        auth = try config.auth.map { auth throws(PollsterError) in try AuthPlan(auth) }
        let envelope = try ErrorEnvelope(config.errorEnvelope ?? .tencentCloud)
        self.envelope = envelope
        polling = try config.polling.map { polling throws(PollsterError) in
            try PollingPlan(polling, envelope: envelope)
        }
        result = try config.result.map { result throws(PollsterError) in
            Result(
                url: try Self.template(result.url, key: "adapterConfig.result.url"),
                method: try Self.httpMethod(result.method, key: "adapterConfig.result.method"),
                failureStatuses: Set(result.failureStatuses), optional: result.optional)
        }
        output = try OutputPlan(config.output)
        cancel = try config.cancel.map { cancel throws(PollsterError) in
            if let body = cancel.body { try Self.checkTemplates(in: body, key: "adapterConfig.cancel.body") }
            return Cancel(
                url: try Self.template(cancel.url, key: "adapterConfig.cancel.url"),
                method: try Self.httpMethod(cancel.method, key: "adapterConfig.cancel.method"),
                body: cancel.body,
                onTimeout: cancel.onTimeout)
        }
        let timeout = config.effectiveTimeoutSeconds
        guard timeout > 0, timeout <= 3600 else {
            throw PollsterError(
                .invalidConfig, "adapterConfig.timeoutSeconds: must be between 0 and 3600 seconds")
        }
        requestTimeout = .milliseconds(Int64(timeout * 1000))
        var names = Set(endpoint.secretNames)
        for (_, template) in headers + submit.query { names.formUnion(template.secretNames) }
        names.formUnion(auth?.secretNames ?? [])
        if let body = config.body { names.formUnion(Self.secretNames(in: body)) }
        if let polling { names.formUnion(polling.secretNames) }
        if let result { names.formUnion(result.url.secretNames) }
        if let reconcile = submit.reconcile { names.formUnion(reconcile.secretNames) }
        if let cancel {
            names.formUnion(cancel.url.secretNames)
            if let body = cancel.body { names.formUnion(Self.secretNames(in: body)) }
        }
        secretNames = names
    }

    static func inputSchema(_ schema: JSONValue?) throws(PollsterError) -> InputSchema? {
        guard let schema else { return nil }
        let compiled = try InputSchema(compiling: schema, key: "requestSchema")
        guard compiled.acceptsObjects else {
            let key = schema.objectValue == nil ? "requestSchema" : "requestSchema.type"
            throw PollsterError(
                .invalidConfig,
                "\(key): a tool input is always a JSON object, which this schema refuses; use type: object")
        }
        return compiled
    }

    /// Refuses `user:password@` in a URL: it never reaches the provider (requests to such URLs
    /// are refused), and it puts a credential into the config.
    static func refuseUserinfo(_ url: String?, key: String) throws(PollsterError) {
        guard let url, URLCredentials.hasUserinfo(url) else { return }
        throw PollsterError(
            .invalidConfig,
            "\(key): '\(URLCredentials.mask(url))' holds credentials (user:password@), which are never sent; remove them and use adapterConfig.auth: { type: basic, username: \"${USER_NAME}\", password: \"${PASSWORD}\" } with the values in the environment"
        )
    }

    static func httpMethod(_ text: String, key: String) throws(PollsterError) -> String {
        let upper = text.uppercased()
        guard httpMethods.contains(upper) else {
            throw PollsterError(
                .invalidConfig,
                "\(key): '\(text)' is not an HTTP method; use one of \(httpMethods.joined(separator: ", "))")
        }
        return upper
    }

    static func template(_ text: String, key: String) throws(PollsterError) -> Template {
        do { return try Template(parsing: text) } catch { throw error.prefixed(key) }
    }

    static func path(_ text: String, key: String) throws(PollsterError) -> JSONPath {
        do { return try JSONPath(parsing: text) } catch { throw error.prefixed(key) }
    }

    static func templates(_ map: [String: String], key: String) throws(PollsterError)
        -> [(name: String, value: Template)]
    {
        var result: [(name: String, value: Template)] = []
        for name in map.keys.sorted() {
            result.append((name, try template(map[name]!, key: "\(key).\(name)")))
        }
        return result
    }

    /// Parses every string in a JSON template so errors surface at load time.
    static func checkTemplates(in value: JSONValue, key: String) throws(PollsterError) {
        switch value {
        case .string(let text): _ = try template(text, key: key)
        case .array(let items):
            for (index, item) in items.enumerated() { try checkTemplates(in: item, key: "\(key)[\(index)]") }
        case .object(let members):
            for (name, member) in members { try checkTemplates(in: member, key: "\(key).\(name)") }
        default: break
        }
    }

    /// True when a string in a JSON template uses the task id (`{id}`).
    static func usesTaskId(in value: JSONValue) -> Bool {
        anyTemplate(in: value, \.usesTaskId)
    }

    /// True when a string in a JSON template satisfies `test`.
    static func anyTemplate(in value: JSONValue, _ test: (Template) -> Bool) -> Bool {
        switch value {
        case .string(let text): (try? Template(parsing: text)).map(test) ?? false
        case .array(let items): items.contains { anyTemplate(in: $0, test) }
        case .object(let members): members.values.contains { anyTemplate(in: $0, test) }
        default: false
        }
    }

    package static func secretNames(in value: JSONValue) -> Set<String> {
        switch value {
        case .string(let text): Set((try? Template(parsing: text))?.secretNames ?? [])
        case .array(let items): items.reduce(into: []) { $0.formUnion(secretNames(in: $1)) }
        case .object(let members): members.values.reduce(into: []) { $0.formUnion(secretNames(in: $1)) }
        default: []
        }
    }
}

/// Compiled authentication.
public enum AuthPlan: Sendable {
    case bearer(token: Template)
    case header(name: String, value: Template)
    case basic(username: Template, password: Template)
    /// Tencent Cloud API 3.0 request signing.
    case tc3(secretId: Template, secretKey: Template, service: String?)
    /// Volcengine request signing (signature v4 with Volcengine's names).
    case volc(accessKeyId: Template, secretKey: Template, region: String, service: String)

    init(_ config: AuthConfig) throws(PollsterError) {
        func required(_ value: String?, _ field: String) throws(PollsterError) -> Template {
            guard let value else {
                throw PollsterError(
                    .invalidConfig, "adapterConfig.auth.\(field): required for auth type '\(config.type)'")
            }
            return try MethodPlan.template(value, key: "adapterConfig.auth.\(field)")
        }
        switch config.type {
        case "bearer": self = .bearer(token: try required(config.token, "token"))
        case "header":
            guard let name = config.name, !name.isEmpty else {
                throw PollsterError(
                    .invalidConfig, "adapterConfig.auth.name: required for auth type 'header'")
            }
            self = .header(name: name, value: try required(config.value, "value"))
        case "basic":
            self = .basic(
                username: try required(config.username, "username"),
                password: try required(config.password, "password"))
        case "tc3-hmac-sha256":
            self = .tc3(
                secretId: try required(config.secretId, "secretId"),
                secretKey: try required(config.secretKey, "secretKey"),
                service: config.service)
        case "volc-hmac-sha256":
            func name(_ value: String?, _ field: String, example: String) throws(PollsterError) -> String {
                guard let value, !value.isEmpty else {
                    throw PollsterError(
                        .invalidConfig,
                        "adapterConfig.auth.\(field): required for auth type 'volc-hmac-sha256' (e.g. \(example))"
                    )
                }
                return value
            }
            self = .volc(
                accessKeyId: try required(config.secretId, "secretId"),
                secretKey: try required(config.secretKey, "secretKey"),
                region: try name(config.region, "region", example: "cn-north-1"),
                service: try name(config.service, "service", example: "cv"))
        default:
            throw PollsterError(
                .invalidConfig,
                "adapterConfig.auth.type: '\(config.type)' is not supported; use one of \(AuthConfig.types.joined(separator: ", "))"
            )
        }
    }

    /// True for the types that sign each request once it is whole (`tc3`, `volc`).
    package var signs: Bool {
        switch self {
        case .tc3, .volc: true
        case .bearer, .header, .basic: false
        }
    }

    var secretNames: [String] {
        switch self {
        case .bearer(let token): token.secretNames
        case .header(_, let value): value.secretNames
        case .basic(let username, let password): username.secretNames + password.secretNames
        case .tc3(let secretId, let secretKey, _): secretId.secretNames + secretKey.secretNames
        case .volc(let accessKeyId, let secretKey, _, _): accessKeyId.secretNames + secretKey.secretNames
        }
    }
}

/// Compiled output rules.
public struct OutputPlan: Sendable {
    /// Explicit output paths.
    public let paths: [JSONPath]?
    /// The config as given.
    public let config: OutputConfig

    init(_ config: OutputConfig) throws(PollsterError) {
        self.config = config
        if let paths = config.paths {
            var compiled: [JSONPath] = []
            for (index, path) in paths.enumerated() {
                compiled.append(try MethodPlan.path(path, key: "adapterConfig.output.paths[\(index)]"))
            }
            self.paths = compiled
        } else {
            self.paths = nil
        }
        guard config.maxBytes > 0 else {
            throw PollsterError(.invalidConfig, "adapterConfig.output.maxBytes: must be greater than 0")
        }
        guard (1...10).contains(config.maxAttempts) else {
            throw PollsterError(.invalidConfig, "adapterConfig.output.maxAttempts: must be 1…10")
        }
        guard config.maxFiles >= 1 else {
            throw PollsterError(.invalidConfig, "adapterConfig.output.maxFiles: must be at least 1")
        }
    }
}
