/// One tool method: what a `tool_methods` row holds.
public struct MethodConfig: Sendable, Hashable, Codable {
    /// The method name, the second half of a tool name.
    public var name: String
    /// What the method does (shown to agents).
    public var description: String?
    /// The submit endpoint, relative to the inventory's `baseUrl` or absolute.
    public var endpoint: String
    /// The submit HTTP method; default `POST`.
    public var httpMethod: String
    /// JSON Schema of the input.
    public var requestSchema: JSONValue?
    /// JSON Schema of the result.
    public var responseSchema: JSONValue?
    /// The adapter kind; only `http` exists.
    public var adapterType: String
    /// How to call, poll and download.
    public var adapterConfig: AdapterConfig
    /// The row version (`version_id`); the highest enabled version wins.
    public var versionId: Int
    /// Disabled methods are not offered.
    public var enabled: Bool

    /// A method from its parts.
    public init(
        name: String, description: String? = nil, endpoint: String, httpMethod: String = "POST",
        requestSchema: JSONValue? = nil, responseSchema: JSONValue? = nil, adapterType: String = "http",
        adapterConfig: AdapterConfig = AdapterConfig(), versionId: Int = 1, enabled: Bool = true
    ) {
        self.name = name
        self.description = description
        self.endpoint = endpoint
        self.httpMethod = httpMethod
        self.requestSchema = requestSchema
        self.responseSchema = responseSchema
        self.adapterType = adapterType
        self.adapterConfig = adapterConfig
        self.versionId = versionId
        self.enabled = enabled
    }

    static let keys = [
        "name", "description", "endpoint", "httpMethod", "requestSchema", "responseSchema", "adapterType",
        "adapterConfig", "versionId", "enabled",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: Self.keys)
        name = try c.required("name")
        description = try c("description")
        endpoint = try c.required("endpoint")
        httpMethod = try c("httpMethod", default: "POST")
        requestSchema = try c("requestSchema")
        responseSchema = try c("responseSchema")
        adapterType = try c("adapterType", default: "http")
        adapterConfig = try c("adapterConfig", default: AdapterConfig())
        versionId = try c("versionId", default: 1)
        enabled = try c("enabled", default: true)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("name", name)
        try c("description", description)
        try c("endpoint", endpoint)
        try c("httpMethod", httpMethod, default: "POST")
        try c("requestSchema", requestSchema)
        try c("responseSchema", responseSchema)
        try c("adapterType", adapterType, default: "http")
        try c("adapterConfig", adapterConfig)
        try c("versionId", versionId, default: 1)
        try c("enabled", enabled, default: true)
    }
}
