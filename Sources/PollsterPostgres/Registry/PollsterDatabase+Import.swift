import PollsterCore
import PostgresNIO

/// What `importInventories` did, by tool (`inventory.method@version`) and inventory key.
public struct ImportSummary: Sendable, Hashable {
    /// Rows that did not exist.
    public var inserted: [String] = []
    /// Rows whose content changed.
    public var updated: [String] = []
    /// Rows already identical (not written, `updated_at` kept).
    public var unchanged: [String] = []

    /// An empty summary.
    public init() {}
}

extension PollsterDatabase {
    /// Upserts inventories and their methods, all in one transaction (a running registry
    /// sees all of it or none of it).
    ///
    /// Rows are keyed as in the schema: `toolset_inventory.key`, and `tool_methods`
    /// (`inventory_key`, `name`, `version_id`). A method's YAML `versionId` is its row's
    /// version: importing an edited file with the same `versionId` updates that row in place;
    /// to keep the old config next to the new one, raise `versionId`. Identical rows are left
    /// untouched. Rows that are not in the import are kept (nothing is deleted). Imported
    /// inventories are enabled.
    /// - Throws: `INVALID_CONFIG` when a config holds a literal credential instead of a
    ///   `${NAME}` reference (nothing is written); database errors as `TRANSPORT_ERROR`.
    @discardableResult
    public func importInventories(_ inventories: [InventoryConfig]) async throws(PollsterError)
        -> ImportSummary
    {
        let literals = inventories.flatMap(LiteralSecrets.find)
        guard literals.isEmpty else {
            throw PollsterError(
                .invalidConfig,
                "secrets never go into rows: replace the literal value with a ${NAME} reference at "
                    + literals.joined(separator: "; "))
        }
        var inventoryRows: [InventoryRow] = []
        var methodRows: [MethodRow] = []
        for inventory in inventories {
            inventoryRows.append(try InventoryRow(inventory))
            for method in inventory.methods {
                guard Int32(exactly: method.versionId) != nil else {
                    throw PollsterError(
                        .invalidConfig,
                        "\(inventory.inventory).\(method.name): versionId \(method.versionId) does not fit a PostgreSQL integer"
                    )
                }
                methodRows.append(try MethodRow(method, inventory: inventory.inventory))
            }
        }
        let logger = self.logger
        return try await attempt("importing") {
            try await client.withTransaction(logger: logger) { connection in
                var summary = ImportSummary()
                for row in inventoryRows {
                    let outcome = try await Self.upsert(row, on: connection, logger: logger)
                    summary.record(outcome, "inventory \(row.key)")
                }
                for row in methodRows {
                    let outcome = try await Self.upsert(row, on: connection, logger: logger)
                    summary.record(outcome, "\(row.toolName)@\(row.versionId)")
                }
                return summary
            }
        }
    }

    private static func upsert(_ row: InventoryRow, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool?
    {
        let rows = try await connection.query(
            """
            INSERT INTO toolset_inventory AS t (key, name, description, base_url, limits, enabled)
            VALUES (\(row.key), \(row.name), \(row.description), \(row.baseUrl), \(row.limits)::jsonb, true)
            ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
                base_url = EXCLUDED.base_url, limits = EXCLUDED.limits, enabled = EXCLUDED.enabled,
                updated_at = now()
            WHERE (t.name, t.description, t.base_url, t.limits::text, t.enabled)
                IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.base_url, EXCLUDED.limits::text,
                    EXCLUDED.enabled)
            RETURNING (t.xmax = 0) AS inserted
            """, logger: logger)
        return try await rows.decode(Bool.self).first { _ in true }
    }

    private static func upsert(_ row: MethodRow, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool?
    {
        let version = Int32(row.versionId)
        let rows = try await connection.query(
            """
            INSERT INTO tool_methods AS t (inventory_key, version_id, name, description, endpoint, http_method,
                request_schema, response_schema, adapter_type, adapter_config, enabled)
            VALUES (\(row.inventoryKey), \(version), \(row.name), \(row.description), \(row.endpoint),
                \(row.httpMethod), \(row.requestSchema)::jsonb, \(row.responseSchema)::jsonb, \(row.adapterType),
                coalesce(\(row.adapterConfig)::jsonb, '{}'::jsonb), \(row.enabled))
            ON CONFLICT (inventory_key, name, version_id) DO UPDATE SET description = EXCLUDED.description,
                endpoint = EXCLUDED.endpoint, http_method = EXCLUDED.http_method,
                request_schema = EXCLUDED.request_schema, response_schema = EXCLUDED.response_schema,
                adapter_type = EXCLUDED.adapter_type, adapter_config = EXCLUDED.adapter_config,
                enabled = EXCLUDED.enabled, updated_at = now()
            WHERE (t.description, t.endpoint, t.http_method, t.request_schema::text, t.response_schema::text,
                    t.adapter_type, t.adapter_config::text, t.enabled)
                IS DISTINCT FROM (EXCLUDED.description, EXCLUDED.endpoint, EXCLUDED.http_method,
                    EXCLUDED.request_schema::text, EXCLUDED.response_schema::text, EXCLUDED.adapter_type,
                    EXCLUDED.adapter_config::text, EXCLUDED.enabled)
            RETURNING (t.xmax = 0) AS inserted
            """, logger: logger)
        return try await rows.decode(Bool.self).first { _ in true }
    }
}

extension ImportSummary {
    /// nil: unchanged; true: inserted; false: updated.
    fileprivate mutating func record(_ outcome: Bool?, _ name: String) {
        switch outcome {
        case .some(true): inserted.append(name)
        case .some(false): updated.append(name)
        case .none: unchanged.append(name)
        }
    }
}
