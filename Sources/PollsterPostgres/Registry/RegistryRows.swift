/// One `toolset_inventory` row as stored (JSON columns as their text).
public struct InventoryRow: Sendable, Hashable {
    /// `key`: the inventory key, first half of tool names.
    public var key: String
    /// `name`: display name.
    public var name: String?
    /// `description`.
    public var description: String?
    /// `base_url`.
    public var baseUrl: String?
    /// `limits` as JSON text.
    public var limits: String?
    /// `enabled`: a disabled inventory offers none of its methods.
    public var enabled: Bool

    /// A row from its columns.
    public init(
        key: String, name: String? = nil, description: String? = nil, baseUrl: String? = nil,
        limits: String? = nil, enabled: Bool = true
    ) {
        self.key = key
        self.name = name
        self.description = description
        self.baseUrl = baseUrl
        self.limits = limits
        self.enabled = enabled
    }
}

/// One `tool_methods` row as stored (JSON columns as their text, whatever the column type).
public struct MethodRow: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `inventory_key`.
    public var inventoryKey: String
    /// `version_id`: among enabled rows of one name, the highest wins.
    public var versionId: Int
    /// `name`: second half of the tool name.
    public var name: String
    /// `description`.
    public var description: String?
    /// `endpoint`.
    public var endpoint: String?
    /// `http_method`.
    public var httpMethod: String?
    /// `request_schema` as JSON text.
    public var requestSchema: String?
    /// `response_schema` as JSON text.
    public var responseSchema: String?
    /// `adapter_type`.
    public var adapterType: String?
    /// `adapter_config` as JSON text (a `jsonb`, `json` or `text` column).
    public var adapterConfig: String?
    /// `enabled`.
    public var enabled: Bool

    /// A row from its columns.
    public init(
        id: Int, inventoryKey: String, versionId: Int = 1, name: String, description: String? = nil,
        endpoint: String?, httpMethod: String? = nil, requestSchema: String? = nil,
        responseSchema: String? = nil, adapterType: String? = nil, adapterConfig: String? = nil,
        enabled: Bool = true
    ) {
        self.id = id
        self.inventoryKey = inventoryKey
        self.versionId = versionId
        self.name = name
        self.description = description
        self.endpoint = endpoint
        self.httpMethod = httpMethod
        self.requestSchema = requestSchema
        self.responseSchema = responseSchema
        self.adapterType = adapterType
        self.adapterConfig = adapterConfig
        self.enabled = enabled
    }

    /// `inventory.method`.
    public var toolName: String { "\(inventoryKey).\(name)" }

    /// How messages name the row: `tool_methods heygen.create_video version 2 (id 7)`.
    public var label: String { "tool_methods \(toolName) version \(versionId) (id \(id))" }
}

/// The registry tables' rows, as read in one query (one consistent snapshot).
public struct RegistryRows: Sendable, Hashable {
    /// `toolset_inventory` rows, by key.
    public var inventories: [InventoryRow]
    /// `tool_methods` rows, in `id` order within each inventory.
    public var methods: [MethodRow]

    /// Rows from their parts.
    public init(inventories: [InventoryRow], methods: [MethodRow]) {
        self.inventories = inventories
        self.methods = methods
    }
}
