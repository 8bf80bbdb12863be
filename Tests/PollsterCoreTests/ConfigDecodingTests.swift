import Foundation
import PollsterCore
import Testing

@Suite("Config decoding and validation")
struct ConfigDecodingTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// The `adapter_config` older deployments hold, byte for byte the minimal form.
    static let legacyAdapterConfig = """
        {"headers":{"X-Api-Key":"${HEYGEN_API_KEY}"},\
        "polling":{"statusUrl":"https://api.heygen.com/v1/video_status.get?video_id={id}",\
        "maxWaitSeconds":300,"intervalSeconds":5},"timeout":30000}
        """

    // MARK: Decoding

    @Test("the legacy minimal adapter_config decodes with defaults")
    func legacyMinimal() throws {
        let config = try Self.decode(AdapterConfig.self, Self.legacyAdapterConfig)
        #expect(config.headers == ["X-Api-Key": "${HEYGEN_API_KEY}"])
        #expect(config.timeout == 30000)
        #expect(config.timeoutSeconds == nil)
        #expect(config.effectiveTimeoutSeconds == 30)
        let polling = try #require(config.polling)
        #expect(polling.statusUrl == "https://api.heygen.com/v1/video_status.get?video_id={id}")
        #expect(polling.maxWaitSeconds == 300)
        #expect(polling.intervalSeconds == 5)
        #expect(polling.statusMethod == "GET")
        #expect(polling.statusHeaders.isEmpty)
        #expect(polling.backoff == nil)
        #expect(polling.acceptors == nil)
        #expect(polling.maxConsecutiveErrors == 5)
        #expect(config.query.isEmpty)
        #expect(config.body == nil)
        #expect(config.auth == nil)
        #expect(config.submit == SubmitConfig())
        #expect(config.submit.maxAttempts == 3)
        #expect(config.output == OutputConfig())
        #expect(config.output.download && !config.output.all)
        #expect(config.output.maxBytes == 512 * 1024 * 1024)
        #expect(config.result == nil && config.cancel == nil)
    }

    @Test("the legacy config compiles into a working plan")
    func legacyCompiles() throws {
        let method = MethodConfig(
            name: "create_avatar_video_v2", endpoint: "https://api.heygen.com/v2/video/generate",
            adapterConfig: try Self.decode(AdapterConfig.self, Self.legacyAdapterConfig))
        let tool = try ToolMethod(
            inventory: InventoryConfig(inventory: "heygen", methods: [method]), method: method)
        #expect(tool.name == "heygen.create_avatar_video_v2")
        #expect(tool.plan.requestTimeout == .seconds(30))
        #expect(tool.plan.submit.method == "POST")
        #expect(tool.plan.secretNames == ["HEYGEN_API_KEY"])
        let polling = try #require(tool.plan.polling)
        #expect(polling.schedule == PollSchedule(interval: .seconds(5), maxWait: .seconds(300)))
        #expect(polling.method == "GET")
        #expect(polling.maxConsecutiveErrors == 5)
        #expect(polling.statusUrl?.usesTaskId == true)
    }

    static let timeoutCases: [(String, Double)] = [
        ("{}", 60),
        (#"{"timeout": 30000}"#, 30),
        (#"{"timeout": 1500}"#, 1.5),
        (#"{"timeoutSeconds": 12}"#, 12),
        (#"{"timeout": 30000, "timeoutSeconds": 12.5}"#, 12.5),
    ]

    @Test("the request timeout: timeoutSeconds, else timeout in ms, else 60", arguments: timeoutCases)
    func timeouts(json: String, seconds: Double) throws {
        #expect(try Self.decode(AdapterConfig.self, json).effectiveTimeoutSeconds == seconds)
    }

    @Test("an inventory in the documented shape decodes with method defaults")
    func inventory() throws {
        let inventory = try Self.decode(
            InventoryConfig.self,
            #"""
            {"inventory": "heygen", "baseUrl": "https://api.heygen.com",
             "limits": {"maxConcurrent": 3, "requestsPerSecond": 5},
             "methods": [{
               "name": "create_avatar_video_v2",
               "description": "Render a talking-avatar video from a script.",
               "endpoint": "/v2/video/generate", "httpMethod": "POST",
               "requestSchema": {"type": "object", "required": ["video_inputs"]},
               "adapterConfig": {
                 "headers": {"X-Api-Key": "${HEYGEN_API_KEY}"},
                 "polling": {"statusUrl": "/v1/video_status.get?video_id={id}",
                             "intervalSeconds": 5, "maxWaitSeconds": 600}}}]}
            """#)
        #expect(inventory.inventory == "heygen")
        #expect(inventory.baseUrl == "https://api.heygen.com")
        #expect(inventory.limits == LimitsConfig(maxConcurrent: 3, requestsPerSecond: 5))
        let method = try #require(inventory.methods.first)
        #expect(method.httpMethod == "POST")
        #expect(method.adapterType == "http")
        #expect(method.versionId == 1)
        #expect(method.enabled)
        #expect(method.requestSchema == ["type": "object", "required": ["video_inputs"]])
        #expect(method.adapterConfig.polling?.maxWaitSeconds == 600)
        let tool = try ToolMethod(inventory: inventory, method: method)
        #expect(tool.baseUrl == "https://api.heygen.com")
        #expect(tool.limits?.maxConcurrent == 3)
        #expect(tool.plan.polling?.schedule.maxWait == .seconds(600))
    }

    @Test("a method without endpoint, or an auth without type, is a missing key")
    func requiredKeys() {
        #expect(throws: DecodingError.self) { try Self.decode(MethodConfig.self, #"{"name": "m"}"#) }
        #expect(throws: DecodingError.self) {
            try Self.decode(AdapterConfig.self, #"{"auth": {"token": "x"}}"#)
        }
        #expect(throws: DecodingError.self) { try Self.decode(InventoryConfig.self, #"{"methods": []}"#) }
    }

    @Test("JSON values in config keep integers apart from floats and booleans")
    func jsonValuesInConfig() throws {
        let acceptor = try Self.decode(
            AcceptorConfig.self, #"{"path": "data.status", "equals": 30, "state": "failure"}"#)
        #expect(acceptor.equals == .integer(30))
        let one = try Self.decode(AcceptorConfig.self, #"{"equals": 1, "state": "success"}"#)
        #expect(one.equals == .integer(1))
        let flag = try Self.decode(AcceptorConfig.self, #"{"equals": true, "state": "success"}"#)
        #expect(flag.equals == .bool(true))
        let body = try Self.decode(
            AdapterConfig.self, #"{"body": {"n": 7384019283746, "f": 1.5, "s": "{input.x}"}}"#)
        #expect(body.body == ["n": .integer(7_384_019_283_746), "f": .double(1.5), "s": "{input.x}"])
    }

    // MARK: Unknown keys

    enum Target: String, Sendable {
        case inventory, method, adapter, polling, acceptor
    }

    struct UnknownKeyCase: Sendable, CustomTestStringConvertible {
        var target: Target
        var json: String
        var key: String
        var suggestion: String?
        var codingPath: String
        var testDescription: String { "\(target): \(key)" }
    }

    static let unknownKeyCases: [UnknownKeyCase] = [
        .init(
            target: .adapter, json: #"{"polling": {"intervalSecond": 5}}"#, key: "intervalSecond",
            suggestion: "intervalSeconds", codingPath: "polling.intervalSecond"),
        .init(
            target: .polling, json: #"{"intervalSecond": 5}"#, key: "intervalSecond",
            suggestion: "intervalSeconds", codingPath: "intervalSecond"),
        .init(
            target: .adapter, json: #"{"heders": {}}"#, key: "heders", suggestion: "headers",
            codingPath: "heders"),
        .init(
            target: .adapter, json: #"{"output": {"max_bytes": 1}}"#, key: "max_bytes",
            suggestion: "maxBytes",
            codingPath: "output.max_bytes"),
        .init(
            target: .inventory, json: #"{"inventory": "x", "base_url": "https://a"}"#, key: "base_url",
            suggestion: "baseUrl", codingPath: "base_url"),
        .init(
            target: .method, json: #"{"name": "m", "endpoint": "/x", "http_method": "GET"}"#,
            key: "http_method",
            suggestion: "httpMethod", codingPath: "http_method"),
        .init(
            target: .method,
            json: #"{"name": "m", "endpoint": "/x", "adapterConfig": {"submit": {"taskIdPth": "a"}}}"#,
            key: "taskIdPth", suggestion: "taskIdPath", codingPath: "adapterConfig.submit.taskIdPth"),
        .init(
            target: .acceptor, json: #"{"equal": 1, "state": "success"}"#, key: "equal", suggestion: "equals",
            codingPath: "equal"),
        .init(
            target: .adapter, json: #"{"zzzzzzzzzzzz": 1}"#, key: "zzzzzzzzzzzz", suggestion: nil,
            codingPath: "zzzzzzzzzzzz"),
    ]

    static func decode(_ target: Target, _ json: String) throws {
        switch target {
        case .inventory: _ = try decode(InventoryConfig.self, json)
        case .method: _ = try decode(MethodConfig.self, json)
        case .adapter: _ = try decode(AdapterConfig.self, json)
        case .polling: _ = try decode(PollingConfig.self, json)
        case .acceptor: _ = try decode(AcceptorConfig.self, json)
        }
    }

    @Test("an unknown key is a DecodingError that suggests the nearest known key", arguments: unknownKeyCases)
    func unknownKey(testCase: UnknownKeyCase) throws {
        let error = #expect(throws: DecodingError.self) { try Self.decode(testCase.target, testCase.json) }
        guard case .dataCorrupted(let context)? = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription.hasPrefix("unknown key '\(testCase.key)'"))
        if let suggestion = testCase.suggestion {
            #expect(context.debugDescription.contains("did you mean '\(suggestion)'?"))
        } else {
            #expect(!context.debugDescription.contains("did you mean"))
            #expect(context.debugDescription.contains("known keys: headers, timeout"))
        }
        #expect(context.codingPath.map(\.stringValue).joined(separator: ".") == testCase.codingPath)
        // The description of the error carries the suggestion too (what a log shows).
        #expect(String(describing: error).contains(testCase.key))
    }

    static let spellingCases: [(String, [String], String?)] = [
        ("intervalSecond", ["intervalSeconds", "maxWaitSeconds"], "intervalSeconds"),
        ("INTERVAL_SECONDS", ["intervalSeconds"], "intervalSeconds"),
        ("status-url", ["statusUrl", "statusMethod"], "statusUrl"),
        ("stauts", ["status", "state"], "status"),
        ("completely_different", ["headers", "polling"], nil),
        ("x", [], nil),
    ]

    @Test("Spelling.nearest suggests close words only", arguments: spellingCases)
    func spelling(word: String, known: [String], expected: String?) {
        #expect(Spelling.nearest(to: word, in: known) == expected)
    }

    // MARK: Encoding

    @Test("encoding leaves out defaults and decodes back to the same config")
    func roundTrip() throws {
        let config = try Self.decode(AdapterConfig.self, Self.legacyAdapterConfig)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(config)
        #expect(try JSONDecoder().decode(AdapterConfig.self, from: data) == config)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("submit"))
        #expect(!text.contains("output"))
        #expect(!text.contains("statusMethod"))
        #expect(try JSONEncoder().encode(SubmitConfig()) == Data("{}".utf8))
    }

    // MARK: Validation by ToolMethod

    static let inventoryWithBase = InventoryConfig(
        inventory: "acme", baseUrl: "https://api.acme.test", methods: [])
    static let inventoryWithoutBase = InventoryConfig(inventory: "acme", methods: [])

    struct ValidationCase: Sendable, CustomTestStringConvertible {
        var adapterConfig: String
        var endpoint: String = "/v1/jobs"
        var httpMethod: String = "POST"
        var name: String = "job"
        var hasBaseUrl: Bool = true
        var key: String
        var mentions: String
        var testDescription: String { key }
    }

    static let validationCases: [ValidationCase] = [
        .init(
            adapterConfig: #"{"polling": {"statusPath": "data..status"}}"#,
            key: "adapterConfig.polling.statusPath", mentions: "invalid JSON path 'data..status'"),
        .init(
            adapterConfig: #"{"polling": {"progressPath": "a["}}"#,
            key: "adapterConfig.polling.progressPath", mentions: "unclosed '['"),
        .init(
            adapterConfig: #"{"auth": {"type": "oauth2"}}"#,
            key: "adapterConfig.auth.type", mentions: "'oauth2' is not supported"),
        .init(
            adapterConfig: #"{"auth": {"type": "bearer"}}"#,
            key: "adapterConfig.auth.token", mentions: "required for auth type 'bearer'"),
        .init(
            adapterConfig: #"{"auth": {"type": "header", "value": "${K}"}}"#,
            key: "adapterConfig.auth.name", mentions: "required"),
        .init(
            adapterConfig:
                #"{"polling": {"acceptors": [{"path": "s", "equals": "ok", "exists": true, "state": "success"}]}}"#,
            key: "adapterConfig.polling.acceptors[0]",
            mentions: "exactly one of equals, in, exists, matches (found 2)"),
        .init(
            adapterConfig:
                #"{"polling": {"acceptors": [{"exists": true, "state": "success"}, {"state": "failure"}]}}"#,
            key: "adapterConfig.polling.acceptors[1]", mentions: "(found 0)"),
        .init(
            adapterConfig: #"{"polling": {"acceptors": [{"exists": true, "state": "maybe"}]}}"#,
            key: "adapterConfig.polling.acceptors[0].state", mentions: "'maybe'"),
        .init(
            adapterConfig: #"{"polling": {"acceptors": [{"matches": "([", "state": "failure"}]}}"#,
            key: "adapterConfig.polling.acceptors[0].matches", mentions: "not a valid regular expression"),
        .init(
            adapterConfig:
                #"{"polling": {"acceptors": [{"path": "a..b", "exists": true, "state": "failure"}]}}"#,
            key: "adapterConfig.polling.acceptors[0].path", mentions: "invalid JSON path"),
        .init(
            adapterConfig: #"{"polling": {"statusMap": {"30": "kaput"}}}"#,
            key: "adapterConfig.polling.statusMap.30", mentions: "'kaput'"),
        .init(
            adapterConfig: #"{"polling": {"intervalSeconds": 0}}"#,
            key: "adapterConfig.polling.intervalSeconds", mentions: "got 0"),
        .init(
            adapterConfig: #"{"polling": {"intervalSeconds": -1}}"#,
            key: "adapterConfig.polling.intervalSeconds", mentions: "greater than 0"),
        .init(
            adapterConfig: #"{"polling": {"maxWaitSeconds": 0}}"#,
            key: "adapterConfig.polling.maxWaitSeconds", mentions: "greater than 0"),
        .init(
            adapterConfig: #"{"polling": {"maxConsecutiveErrors": 0}}"#,
            key: "adapterConfig.polling.maxConsecutiveErrors", mentions: "at least 1"),
        .init(
            adapterConfig: #"{"polling": {"backoff": {"jitter": "some"}}}"#,
            key: "adapterConfig.polling.backoff.jitter", mentions: "'some'"),
        .init(
            adapterConfig: #"{"polling": {"backoff": {"multiplier": 0.5}}}"#,
            key: "adapterConfig.polling.backoff.multiplier", mentions: "at least 1"),
        .init(
            adapterConfig: #"{"polling": {"statusUrl": "/s/{job}"}}"#,
            key: "adapterConfig.polling.statusUrl", mentions: "unknown placeholder '{job}'"),
        .init(
            adapterConfig: #"{"polling": {"statusMethod": "FETCH"}}"#,
            key: "adapterConfig.polling.statusMethod", mentions: "'FETCH' is not an HTTP method"),
        .init(
            adapterConfig: #"{"polling": {"statusBody": {"ids": ["{idd}"]}}}"#,
            key: "adapterConfig.polling.statusBody.ids[0]", mentions: "unknown placeholder"),
        .init(
            adapterConfig: #"{"headers": {"Authorization": "Bearer ${BAD-NAME}"}}"#,
            key: "adapterConfig.headers.Authorization", mentions: "not a valid secret reference"),
        .init(
            adapterConfig: #"{"body": {"Prompt": "{input.prompt}", "Cfg": {"Ratio": "{inptu.ratio}"}}}"#,
            key: "adapterConfig.body.Cfg.Ratio", mentions: "unknown placeholder"),
        .init(
            adapterConfig: #"{"submit": {"taskIdPath": "data[x]"}}"#,
            key: "adapterConfig.submit.taskIdPath", mentions: "invalid JSON path"),
        .init(
            adapterConfig: #"{"submit": {"maxAttempts": 11}}"#,
            key: "adapterConfig.submit.maxAttempts", mentions: "1…10"),
        .init(
            adapterConfig: #"{"output": {"paths": ["images[*].url", "a..b"]}}"#,
            key: "adapterConfig.output.paths[1]", mentions: "invalid JSON path"),
        .init(
            adapterConfig: #"{"output": {"maxBytes": 0}}"#,
            key: "adapterConfig.output.maxBytes", mentions: "greater than 0"),
        .init(
            adapterConfig: #"{"result": {"url": "{response.response_url}", "method": "get2"}}"#,
            key: "adapterConfig.result.method", mentions: "'get2'"),
        .init(
            adapterConfig:
                #"{"cancel": {"url": "/v1/tasks/{id", "method": "DELETE", "body": {"x": "{nope}"}}}"#,
            key: "adapterConfig.cancel.body.x", mentions: "unknown placeholder"),
        .init(
            adapterConfig: #"{"timeoutSeconds": 0}"#,
            key: "adapterConfig.timeoutSeconds", mentions: "between 0 and 3600"),
        .init(
            adapterConfig: #"{"timeout": 7200000}"#,
            key: "adapterConfig.timeoutSeconds", mentions: "between 0 and 3600"),
        .init(
            adapterConfig: "{}", endpoint: "/v1/x", hasBaseUrl: false, key: "endpoint", mentions: "no baseUrl"
        ),
        .init(
            adapterConfig: "{}", endpoint: "v1/x", hasBaseUrl: false, key: "endpoint", mentions: "relative"),
        .init(adapterConfig: "{}", endpoint: "/x/{wat}", key: "endpoint", mentions: "unknown placeholder"),
        .init(adapterConfig: "{}", httpMethod: "FETCH", key: "httpMethod", mentions: "'FETCH'"),
        .init(adapterConfig: "{}", name: "bad name", key: "name", mentions: "'bad name'"),
    ]

    @Test("ToolMethod refuses invalid configs with INVALID_CONFIG naming the key", arguments: validationCases)
    func validation(testCase: ValidationCase) throws {
        let method = MethodConfig(
            name: testCase.name, endpoint: testCase.endpoint, httpMethod: testCase.httpMethod,
            adapterConfig: try Self.decode(AdapterConfig.self, testCase.adapterConfig))
        let inventory = testCase.hasBaseUrl ? Self.inventoryWithBase : Self.inventoryWithoutBase
        let error = #expect(throws: PollsterError.self) {
            try ToolMethod(inventory: inventory, method: method)
        }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.hasPrefix("\(testCase.key):") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(testCase.mentions) == true, "\(error?.message ?? "")")
    }

    static let validEndpoints: [(String, Bool)] = [
        ("https://api.acme.test/v1/jobs", false),
        ("http://127.0.0.1:8000/v1", false),
        ("{input.endpoint_url}", false),
        ("/v1/jobs", true),
        ("v1/jobs", true),
    ]

    @Test("absolute endpoints, or a whole-URL placeholder, need no baseUrl", arguments: validEndpoints)
    func validEndpoint(endpoint: String, needsBase: Bool) throws {
        let method = MethodConfig(name: "job", endpoint: endpoint)
        let inventory = needsBase ? Self.inventoryWithBase : Self.inventoryWithoutBase
        let tool = try ToolMethod(inventory: inventory, method: method)
        #expect(tool.plan.submit.endpoint.text == endpoint)
        #expect(tool.plan.polling == nil)
    }

    @Test("a full config compiles: auth, acceptors, backoff, lowercased methods")
    func fullConfigCompiles() throws {
        let method = try Self.decode(
            MethodConfig.self,
            #"""
            {"name": "generate", "endpoint": "/v1/generate", "httpMethod": "post",
             "adapterConfig": {
               "auth": {"type": "header", "name": "Authorization", "value": "Key ${FAL_KEY}"},
               "query": {"b": "2", "a": "{input.a|1}"},
               "submit": {"taskIdPath": "request_id", "retryOn": [429, 503]},
               "polling": {"statusMethod": "post", "statusHeaders": {"X-Token": "${STATUS_TOKEN}"},
                           "backoff": {"multiplier": 1.5, "maxIntervalSeconds": 30},
                           "statusMap": {"50": "success"},
                           "acceptors": [{"path": "code", "in": [30, "x"], "state": "failure", "message": "msg"}]},
               "output": {"paths": ["images[*].url"], "all": true},
               "result": {"url": "{response.response_url}"},
               "cancel": {"url": "{response.cancel_url}", "method": "put"}}}
            """#)
        let tool = try ToolMethod(inventory: Self.inventoryWithBase, method: method)
        #expect(tool.plan.submit.method == "POST")
        #expect(tool.plan.submit.query.map(\.name) == ["a", "b"])
        #expect(tool.plan.submit.retryOn == [429, 503])
        #expect(tool.plan.submit.taskIdPath?.description == "request_id")
        #expect(tool.plan.secretNames == ["FAL_KEY", "STATUS_TOKEN"])
        #expect(tool.plan.polling?.method == "POST")
        #expect(
            tool.plan.polling?.schedule.backoff
                == PollSchedule.Backoff(multiplier: 1.5, maxInterval: .seconds(30), jitter: true))
        #expect(tool.plan.output.paths?.map(\.description) == ["images[*].url"])
        #expect(tool.plan.result?.method == "GET")
        #expect(tool.plan.cancel?.method == "PUT")
        #expect(tool.plan.requestTimeout == .seconds(60))
    }

    @Test("compiling an inventory leaves out a broken method and names it")
    func compileInventory() {
        let good = MethodConfig(name: "good", endpoint: "/ok")
        let bad = MethodConfig(
            name: "bad", endpoint: "/bad",
            adapterConfig: AdapterConfig(polling: PollingConfig(intervalSeconds: 0)))
        let inventory = InventoryConfig(
            inventory: "acme", baseUrl: "https://api.acme.test", methods: [good, bad])
        let (methods, problems) = ToolMethod.compile(inventory)
        #expect(methods.map(\.name) == ["acme.good"])
        #expect(problems.count == 1)
        #expect(problems.first?.method == "acme.bad")
        #expect(problems.first?.error.code == .invalidConfig)
        #expect(
            problems.first?.error.message.hasPrefix(
                "methods[1] (bad): adapterConfig.polling.intervalSeconds:")
                == true)
    }

    static let inventoryProblems: [(InventoryConfig, String)] = [
        (InventoryConfig(inventory: "bad key", methods: []), "inventory:"),
        (InventoryConfig(inventory: "acme", baseUrl: "ftp://acme.test", methods: []), "baseUrl:"),
        (
            InventoryConfig(inventory: "acme", limits: LimitsConfig(maxConcurrent: 0), methods: []),
            "limits.maxConcurrent:"
        ),
        (
            InventoryConfig(inventory: "acme", limits: LimitsConfig(requestsPerSecond: 0), methods: []),
            "limits.requestsPerSecond:"
        ),
        (
            InventoryConfig(
                inventory: "acme", baseUrl: "https://a.test",
                methods: [MethodConfig(name: "m", endpoint: "/a"), MethodConfig(name: "m", endpoint: "/b")]),
            "methods[1].name:"
        ),
    ]

    @Test("inventory-level problems disable the whole inventory", arguments: inventoryProblems)
    func inventoryProblem(inventory: InventoryConfig, key: String) {
        let (methods, problems) = ToolMethod.compile(inventory)
        #expect(methods.isEmpty)
        #expect(problems.count == 1)
        #expect(problems.first?.method == nil)
        #expect(problems.first?.error.code == .invalidConfig)
        #expect(
            problems.first?.error.message.hasPrefix(key) == true, "\(problems.first?.error.message ?? "")")
    }

    static let toolNames: [(String, String?, String?)] = [
        ("heygen.create_avatar_video_v2", "heygen", "create_avatar_video_v2"),
        ("a.b.c", "a", "b.c"),
        ("nodot", nil, nil),
        (".method", nil, nil),
        ("inventory.", nil, nil),
    ]

    @Test("tool names split at the first dot", arguments: toolNames)
    func toolName(name: String, inventory: String?, method: String?) {
        if let inventory, let method {
            let parts = try? ToolName.split(name)
            #expect(parts?.inventory == inventory)
            #expect(parts?.method == method)
        } else {
            let error = #expect(throws: PollsterError.self) { try ToolName.split(name) }
            #expect(error?.code == .toolNotFound)
        }
    }
}
