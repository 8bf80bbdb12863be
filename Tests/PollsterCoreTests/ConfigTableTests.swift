import Foundation
import PollsterCore
import Testing

@Suite("Config model")
struct ConfigTableTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test("the legacy minimal adapter_config decodes with its defaults")
    func legacyMinimum() throws {
        let config = try Self.decode(
            AdapterConfig.self,
            #"{"headers": {"X-Api-Key": "${K}"}, "polling": {"statusUrl": "/s?id={id}", "maxWaitSeconds": 600, "intervalSeconds": 10}, "timeout": 30000}"#
        )
        #expect(config.effectiveTimeoutSeconds == 30)
        #expect(config.polling?.maxWaitSeconds == 600)
        #expect(config.polling?.maxConsecutiveErrors == 5)
        #expect(config.output == OutputConfig())
        let defaults = try Self.decode(PollingConfig.self, #"{"statusUrl": "/s"}"#)
        #expect(defaults.intervalSeconds == 5 && defaults.maxWaitSeconds == 300)
    }

    @Test(
        "unknown keys are refused with the nearest known key",
        arguments: [
            (#"{"polling": {"intervalSecond": 1}}"#, "intervalSeconds"), (#"{"heders": {}}"#, "headers"),
            (#"{"output": {"max_bytes": 1}}"#, "maxBytes"),
        ])
    func unknownKeys(json: String, suggestion: String) {
        #expect {
            _ = try Self.decode(AdapterConfig.self, json)
        } throws: { error in
            String(describing: error).contains("did you mean '\(suggestion)'")
        }
    }

    @Test(
        "compiling names the broken key",
        arguments: [
            (#"{"polling": {"statusPath": "a["}}"#, "adapterConfig.polling.statusPath"),
            (#"{"auth": {"type": "oauth"}}"#, "adapterConfig.auth.type"),
            (#"{"auth": {"type": "bearer"}}"#, "adapterConfig.auth.token"),
            (#"{"polling": {"intervalSeconds": 0}}"#, "adapterConfig.polling.intervalSeconds"),
            (#"{"polling": {"acceptors": [{"state": "success"}]}}"#, "adapterConfig.polling.acceptors[0]"),
            (#"{"polling": {"acceptors": [{"exists": true, "state": "maybe"}]}}"#, "acceptors[0].state"),
            (#"{"headers": {"X": "{nope.x}"}}"#, "adapterConfig.headers.X"),
            (#"{"output": {"paths": ["ok", "bad["]}}"#, "adapterConfig.output.paths[1]"),
            (#"{"cancel": {"url": "/c", "method": "FETCH"}}"#, "adapterConfig.cancel.method"),
        ])
    func compileErrors(adapterConfig: String, key: String) throws {
        let config = try Self.decode(AdapterConfig.self, adapterConfig)
        #expect {
            _ = try ToolMethod.acme(config)
        } throws: { error in
            let error = error as? PollsterError
            return error?.code == .invalidConfig && error?.message.contains(key) == true
        }
    }

    @Test("a relative endpoint needs a baseUrl")
    func relativeEndpoint() {
        let inventory = InventoryConfig(inventory: "acme", methods: [MethodConfig(name: "m", endpoint: "/m")])
        let (methods, problems) = ToolMethod.compile(inventory)
        #expect(methods.isEmpty)
        #expect(problems.first?.method == "acme.m")
        #expect(problems.first?.error.message.contains("no baseUrl") == true)
    }

    @Test("the provider's origin follows each call's baseUrl override, whatever the call before used")
    func providerOrigins() throws {
        let method = try ToolMethod.acme()
        let calls: [(String?, String?)] = [
            ("https://api.acme.test", "https://api.acme.test:443"), (nil, nil),
            ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"),
            ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"),
            ("https://eu.acme.test", "https://eu.acme.test:443"),
            ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"),
            ("https://api.acme.test", "https://api.acme.test:443"), ("not a url", nil),
        ]
        for (override, origin) in calls {
            #expect(method.providerURL(baseUrl: override)?.origin == origin, "\(override ?? "nil")")
        }
    }

    @Test("encoding leaves defaults out, and decoding it back is lossless")
    func roundTrip() throws {
        let config = try Self.decode(
            InventoryConfig.self,
            #"{"inventory": "a", "baseUrl": "https://a.test", "methods": [{"name": "m", "endpoint": "/m", "adapterConfig": {"polling": {"statusUrl": "/s/{id}", "intervalSeconds": 2, "maxWaitSeconds": 60, "statusMap": {"1": "success"}}, "cancel": {"url": "/c/{id}", "method": "DELETE"}}}]}"#
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(config)
        #expect(!String(decoding: data, as: UTF8.self).contains("httpMethod"))
        #expect(try JSONDecoder().decode(InventoryConfig.self, from: data) == config)
    }
}
