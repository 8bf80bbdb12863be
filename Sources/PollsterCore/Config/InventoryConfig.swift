/// One provider ("inventory") and its tool methods: the content of one YAML file in
/// `adapters/`, or of one `toolset_inventory` row with its `tool_methods` rows.
public struct InventoryConfig: Sendable, Hashable, Codable {
    /// The inventory key, the first half of a tool name (`heygen` in `heygen.create_video`).
    public var inventory: String
    /// A display name.
    public var name: String?
    /// What the provider is.
    public var description: String?
    /// Relative endpoints and status URLs resolve against this.
    public var baseUrl: String?
    /// Provider-wide limits.
    public var limits: LimitsConfig?
    /// The tool methods.
    public var methods: [MethodConfig]

    /// An inventory from its parts.
    public init(
        inventory: String, name: String? = nil, description: String? = nil, baseUrl: String? = nil,
        limits: LimitsConfig? = nil, methods: [MethodConfig]
    ) {
        self.inventory = inventory
        self.name = name
        self.description = description
        self.baseUrl = baseUrl
        self.limits = limits
        self.methods = methods
    }

    static let keys = ["inventory", "name", "description", "baseUrl", "limits", "methods"]

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: Self.keys)
        inventory = try c.required("inventory")
        name = try c("name")
        description = try c("description")
        baseUrl = try c("baseUrl")
        limits = try c("limits")
        methods = try c("methods", default: [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("inventory", inventory)
        try c("name", name)
        try c("description", description)
        try c("baseUrl", baseUrl)
        try c("limits", limits)
        try c("methods", methods)
    }
}

/// Provider-wide limits (enforced from the batch issue on; parsed and validated now).
public struct LimitsConfig: Sendable, Hashable, Codable {
    /// Jobs in flight at once.
    public var maxConcurrent: Int?
    /// Requests per second (submit and poll).
    public var requestsPerSecond: Double?

    /// Limits from their parts.
    public init(maxConcurrent: Int? = nil, requestsPerSecond: Double? = nil) {
        self.maxConcurrent = maxConcurrent
        self.requestsPerSecond = requestsPerSecond
    }

    public init(from decoder: any Decoder) throws {
        let c = try ConfigContainer(decoder, known: ["maxConcurrent", "requestsPerSecond"])
        maxConcurrent = try c("maxConcurrent")
        requestsPerSecond = try c("requestsPerSecond")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = ConfigEncoder(encoder)
        try c("maxConcurrent", maxConcurrent)
        try c("requestsPerSecond", requestsPerSecond)
    }
}
