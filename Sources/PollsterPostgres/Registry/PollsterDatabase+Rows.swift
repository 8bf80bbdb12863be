import PollsterCore
import PostgresNIO

extension PollsterDatabase {
    /// The rows the registry offers: enabled methods (every version) of enabled inventories.
    ///
    /// One statement, so inventories and methods come from one consistent snapshot. JSON
    /// columns are read as `::text`, so `jsonb`, `json` and legacy `text` columns all load.
    public func activeRows() async throws(PollsterError) -> RegistryRows {
        try await attempt("reading the registry tables") {
            try await Self.rows(
                try await client.query(
                    """
                    SELECT i.key::text AS key, i.name::text AS inventory_name,
                        i.description::text AS inventory_description, i.base_url::text AS base_url,
                        i.limits::text AS limits, true AS inventory_enabled,
                        m.id::bigint AS id, m.version_id::bigint AS version_id, m.name::text AS method_name,
                        m.description::text AS method_description, m.endpoint::text AS endpoint,
                        m.http_method::text AS http_method, m.request_schema::text AS request_schema,
                        m.response_schema::text AS response_schema, m.adapter_type::text AS adapter_type,
                        m.adapter_config::text AS adapter_config, true AS method_enabled
                    FROM toolset_inventory i
                    LEFT JOIN tool_methods m ON m.inventory_key = i.key AND coalesce(m.enabled, true)
                    WHERE coalesce(i.enabled, true)
                    ORDER BY i.key, m.id
                    """, logger: logger))
        }
    }

    /// Every row of both tables (disabled ones and all versions), for export.
    public func allRows() async throws(PollsterError) -> RegistryRows {
        try await attempt("reading the registry tables") {
            try await Self.rows(
                try await client.query(
                    """
                    SELECT i.key::text AS key, i.name::text AS inventory_name,
                        i.description::text AS inventory_description, i.base_url::text AS base_url,
                        i.limits::text AS limits, coalesce(i.enabled, true) AS inventory_enabled,
                        m.id::bigint AS id, m.version_id::bigint AS version_id, m.name::text AS method_name,
                        m.description::text AS method_description, m.endpoint::text AS endpoint,
                        m.http_method::text AS http_method, m.request_schema::text AS request_schema,
                        m.response_schema::text AS response_schema, m.adapter_type::text AS adapter_type,
                        m.adapter_config::text AS adapter_config, coalesce(m.enabled, true) AS method_enabled
                    FROM toolset_inventory i
                    LEFT JOIN tool_methods m ON m.inventory_key = i.key
                    ORDER BY i.key, m.id
                    """, logger: logger))
        }
    }

    /// Inventory columns then method columns (NULL when the inventory has no method).
    private static func rows(_ sequence: PostgresRowSequence) async throws -> RegistryRows {
        var inventories: [InventoryRow] = []
        var methods: [MethodRow] = []
        for try await raw in sequence {
            let row = PostgresRandomAccessRow(raw)
            let key = try row["key"].decode(String.self)
            if inventories.last?.key != key {
                inventories.append(
                    InventoryRow(
                        key: key, name: try row["inventory_name"].decode(String?.self),
                        description: try row["inventory_description"].decode(String?.self),
                        baseUrl: try row["base_url"].decode(String?.self),
                        limits: try row["limits"].decode(String?.self),
                        enabled: try row["inventory_enabled"].decode(Bool.self)))
            }
            guard let id = try row["id"].decode(Int?.self) else { continue }
            methods.append(
                MethodRow(
                    id: id, inventoryKey: key, versionId: try row["version_id"].decode(Int?.self) ?? 1,
                    name: try row["method_name"].decode(String?.self) ?? "",
                    description: try row["method_description"].decode(String?.self),
                    endpoint: try row["endpoint"].decode(String?.self),
                    httpMethod: try row["http_method"].decode(String?.self),
                    requestSchema: try row["request_schema"].decode(String?.self),
                    responseSchema: try row["response_schema"].decode(String?.self),
                    adapterType: try row["adapter_type"].decode(String?.self),
                    adapterConfig: try row["adapter_config"].decode(String?.self),
                    enabled: try row["method_enabled"].decode(Bool.self)))
        }
        return RegistryRows(inventories: inventories, methods: methods)
    }
}
