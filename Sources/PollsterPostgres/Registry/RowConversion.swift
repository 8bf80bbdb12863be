import Foundation
import OrderedCollections
import Pollster
import PollsterCore

extension InventoryRow {
    /// The inventory as config (without methods), decoded like a YAML file's top level.
    /// - Throws: `INVALID_CONFIG` starting with `toolset_inventory <key>:` and naming the key.
    package func config() throws(PollsterError) -> InventoryConfig {
        let source = "toolset_inventory \(key)"
        var object: OrderedDictionary<String, JSONValue> = ["inventory": .string(key)]
        object["name"] = name.map(JSONValue.string)
        object["description"] = description.map(JSONValue.string)
        object["baseUrl"] = baseUrl.map(JSONValue.string)
        object["limits"] = try JSONColumn.parse(limits, column: "limits", source: source)
        return try InventoryLoader.decode(.object(object), source: source)
    }

    /// The row of an inventory config (`enabled` true: YAML has no inventory switch).
    package init(_ config: InventoryConfig) throws(PollsterError) {
        self.init(
            key: config.inventory, name: config.name, description: config.description,
            baseUrl: config.baseUrl,
            limits: try JSONColumn.text(config.limits), enabled: true)
    }
}

extension MethodRow {
    /// The method as config, decoded with the same rules and messages as YAML
    /// (`adapterConfig.polling.intervalSecs: unknown key …; did you mean 'intervalSeconds'?`).
    /// - Throws: `INVALID_CONFIG` starting with `label` (inventory, method, version, id).
    package func config() throws(PollsterError) -> MethodConfig {
        var object: OrderedDictionary<String, JSONValue> = [
            "name": .string(name), "versionId": .integer(Int64(versionId)), "enabled": .bool(enabled),
        ]
        object["description"] = description.map(JSONValue.string)
        object["endpoint"] = endpoint.map(JSONValue.string)
        object["httpMethod"] = httpMethod.map(JSONValue.string)
        object["adapterType"] = adapterType.map(JSONValue.string)
        object["requestSchema"] = try JSONColumn.parse(requestSchema, column: "request_schema", source: label)
        object["responseSchema"] = try JSONColumn.parse(
            responseSchema, column: "response_schema", source: label)
        object["adapterConfig"] = try JSONColumn.parse(adapterConfig, column: "adapter_config", source: label)
        return try InventoryLoader.decode(MethodConfig.self, from: .object(object), source: label)
    }

    /// The row of a method config (`id` is assigned by the database; 0 here).
    package init(_ config: MethodConfig, inventory: String) throws(PollsterError) {
        self.init(
            id: 0, inventoryKey: inventory, versionId: config.versionId, name: config.name,
            description: config.description, endpoint: config.endpoint, httpMethod: config.httpMethod,
            requestSchema: try JSONColumn.text(config.requestSchema),
            responseSchema: try JSONColumn.text(config.responseSchema), adapterType: config.adapterType,
            adapterConfig: try JSONColumn.text(config.adapterConfig), enabled: config.enabled)
    }
}

extension RegistryRows {
    /// Every inventory with all its methods (disabled ones and every version included), for
    /// export. A row that does not decode is left out and reported.
    ///
    /// A disabled inventory has no YAML counterpart: its methods come out with
    /// `enabled: false`, which means the same (nothing of it is offered).
    package func inventoryConfigs() -> (inventories: [InventoryConfig], problems: [PollsterError]) {
        var inventories: [InventoryConfig] = []
        var problems: [PollsterError] = []
        let byInventory = Dictionary(grouping: methods, by: \.inventoryKey)
        for row in self.inventories.sorted(by: { $0.key < $1.key }) {
            var inventory: InventoryConfig
            do throws(PollsterError) { inventory = try row.config() } catch {
                problems.append(error)
                continue
            }
            for methodRow in (byInventory[row.key] ?? []).sorted(by: { $0.id < $1.id }) {
                do throws(PollsterError) {
                    var method = try methodRow.config()
                    if !row.enabled { method.enabled = false }
                    inventory.methods.append(method)
                } catch {
                    problems.append(error)
                }
            }
            inventories.append(inventory)
        }
        return (inventories, problems)
    }
}

/// JSON columns read as text: `jsonb`, `json` and legacy `text` columns alike.
enum JSONColumn {
    /// Parses a column's text; SQL NULL and JSON `null` are absent. A JSON string that itself
    /// holds an object or array (JSON stored twice-encoded, as some older writers did) is unwrapped.
    static func parse(_ text: String?, column: String, source: String) throws(PollsterError) -> JSONValue? {
        guard let text else { return nil }
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw PollsterError(.invalidConfig, "\(source): \(column) is not valid JSON: \(error)")
        }
        if case .string(let inner) = value,
            let first = inner.first(where: { !$0.isWhitespace }), first == "{" || first == "["
        {
            return try parse(inner, column: column, source: source)
        }
        return value == .null ? nil : value
    }

    /// The JSON text of a config value (sorted keys), or nil.
    static func text(_ value: (some Encodable)?) throws(PollsterError) -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(value), as: UTF8.self) } catch {
            throw PollsterError(.invalidConfig, "cannot write a config value as JSON: \(error)")
        }
    }
}
