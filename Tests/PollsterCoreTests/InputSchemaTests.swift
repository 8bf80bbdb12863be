import PollsterCore
import Testing

/// `requestSchema`: compiling the JSON Schema subset and checking inputs against it.
@Suite("Input schema")
struct InputSchemaTests {
    /// One input checked against one schema, with the locations of the expected violations.
    struct Case: Sendable, CustomTestStringConvertible {
        var schema: String
        var input: String
        /// `input…` locations, in the order reported; empty when the input is valid.
        var locations: [String] = []
        /// Text every reported message contains.
        var message: String = ""

        var testDescription: String { "\(schema) ⟵ \(input)" }
    }

    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    static func violations(_ schema: String, _ input: String) throws -> [InputSchema.Violation] {
        try InputSchema(compiling: json(schema)).validate(json(input))
    }

    static let typeCases: [Case] = [
        Case(schema: #"{"type": "string"}"#, input: #""a""#),
        Case(
            schema: #"{"type": "string"}"#, input: "3", locations: ["input"],
            message: "must be a string, got integer 3"),
        Case(schema: #"{"type": ["string", "null"]}"#, input: "null"),
        Case(
            schema: #"{"type": ["string", "null"]}"#, input: "true", locations: ["input"],
            message: "must be a string or null, got boolean true"),
        Case(schema: #"{"type": "integer"}"#, input: "3"),
        Case(schema: #"{"type": "integer"}"#, input: "3.0"),
        Case(schema: #"{"type": "integer"}"#, input: "-2e3"),
        Case(
            schema: #"{"type": "integer"}"#, input: "3.5", locations: ["input"],
            message: "must be an integer, got number 3.5"),
        Case(
            schema: #"{"type": "integer"}"#, input: #""3""#, locations: ["input"],
            message: #"must be an integer, got string "3""#),
        Case(schema: #"{"type": "number"}"#, input: "3"),
        Case(schema: #"{"type": "number"}"#, input: "3.5"),
        Case(
            schema: #"{"type": "number"}"#, input: #""3.5""#, locations: ["input"],
            message: "must be a number"),
        Case(schema: #"{"type": "boolean"}"#, input: "false"),
        Case(
            schema: #"{"type": "boolean"}"#, input: #""true""#, locations: ["input"],
            message: "must be a boolean"),
        Case(schema: #"{"type": "null"}"#, input: "null"),
        Case(
            schema: #"{"type": "null"}"#, input: "0", locations: ["input"],
            message: "must be null, got integer 0"),
        Case(schema: #"{"type": "object"}"#, input: "{}"),
        Case(
            schema: #"{"type": "object"}"#, input: "[1, 2]", locations: ["input"],
            message: "must be an object, got an array of 2 items"),
        Case(schema: #"{"type": "array"}"#, input: "[]"),
        Case(
            schema: #"{"type": "array"}"#, input: "{}", locations: ["input"],
            message: "must be an array, got an object"),
        Case(
            schema: #"{"type": ["integer", "string", "null"]}"#, input: "1.5", locations: ["input"],
            message: "must be an integer, a string or null"),
    ]

    static let keywordCases: [Case] = [
        // required + properties
        Case(schema: #"{"required": ["prompt"]}"#, input: #"{"prompt": "x"}"#),
        Case(
            schema: #"{"required": ["prompt", "n"]}"#, input: #"{"other": 1}"#,
            locations: ["input.prompt", "input.n"], message: "is required but missing"),
        Case(schema: #"{"properties": {"n": {"type": "integer"}}}"#, input: #"{"n": 2, "m": "free"}"#),
        Case(
            schema: #"{"properties": {"n": {"type": "integer"}}}"#, input: #"{"n": "2"}"#,
            locations: ["input.n"], message: "must be an integer"),
        Case(
            schema: #"{"properties": {"x.y": {"type": "string"}}}"#, input: #"{"x.y": 1}"#,
            locations: [#"input["x.y"]"#], message: "must be a string"),
        // additionalProperties
        Case(
            schema: #"{"properties": {"prompt": {}}, "additionalProperties": false}"#,
            input: #"{"prompt": "x"}"#),
        Case(
            schema: #"{"properties": {"prompt": {}}, "additionalProperties": false}"#,
            input: #"{"promt": "x"}"#, locations: ["input.promt"], message: "did you mean 'prompt'?"),
        Case(
            schema: #"{"properties": {"prompt": {}}, "additionalProperties": false}"#, input: #"{"zzz": 1}"#,
            locations: ["input.zzz"], message: "remove it (accepted: prompt)"),
        Case(
            schema: #"{"additionalProperties": {"type": "string"}}"#,
            input: #"{"a": "x", "b": 1, "c": null}"#, locations: ["input.b", "input.c"],
            message: "must be a string"),
        Case(schema: #"{"additionalProperties": true}"#, input: #"{"a": 1}"#),
        // enum, const
        Case(schema: #"{"enum": ["16:9", "1:1"]}"#, input: #""1:1""#),
        Case(
            schema: #"{"enum": ["16:9", "1:1"]}"#, input: #""4:3""#, locations: ["input"],
            message: #"must be one of "16:9", "1:1", got string "4:3""#),
        Case(schema: #"{"enum": [1, 2, null]}"#, input: "2.0"),
        Case(
            schema: #"{"enum": [1, 2, null]}"#, input: #""2""#, locations: ["input"],
            message: "must be one of 1, 2, null"),
        Case(schema: #"{"enum": [{"a": [1]}]}"#, input: #"{"a": [1.0]}"#),
        Case(schema: #"{"const": "v1"}"#, input: #""v1""#),
        Case(
            schema: #"{"const": "v1"}"#, input: #""v2""#, locations: ["input"],
            message: #"must be "v1", got string "v2""#),
        Case(
            schema: #"{"const": null}"#, input: "0", locations: ["input"],
            message: "must be null, got integer 0"),
        // items, minItems, maxItems
        Case(schema: #"{"items": {"type": "string"}}"#, input: #"["a", "b"]"#),
        Case(
            schema: #"{"items": {"type": "string"}}"#, input: #"["a", 1, "b", 2]"#,
            locations: ["input[1]", "input[3]"], message: "must be a string"),
        Case(
            schema: #"{"items": false}"#, input: "[1]", locations: ["input[0]"],
            message: "is not allowed here"),
        Case(schema: #"{"minItems": 1}"#, input: "[0]"),
        Case(
            schema: #"{"minItems": 1}"#, input: "[]", locations: ["input"],
            message: "must have at least 1 item, got 0"),
        Case(schema: #"{"maxItems": 2}"#, input: "[1, 2]"),
        Case(
            schema: #"{"maxItems": 2}"#, input: "[1, 2, 3]", locations: ["input"],
            message: "must have at most 2 items, got 3"),
        // minLength, maxLength: characters, not bytes or scalars
        Case(schema: #"{"minLength": 2}"#, input: #""ab""#),
        Case(
            schema: #"{"minLength": 2}"#, input: #""a""#, locations: ["input"],
            message: "must be at least 2 characters long, got 1"),
        Case(schema: #"{"maxLength": 2}"#, input: #""e\u0301e\u0301""#),
        Case(schema: #"{"maxLength": 1}"#, input: #""👩‍👩‍👧""#),
        Case(
            schema: #"{"maxLength": 3}"#, input: #""abcd""#, locations: ["input"],
            message: "must be at most 3 characters long, got 4"),
        Case(
            schema: #"{"minLength": 1, "type": "string"}"#, input: "5", locations: ["input"],
            message: "must be a string"),
        // numeric bounds
        Case(schema: #"{"minimum": 1}"#, input: "1"),
        Case(
            schema: #"{"minimum": 1}"#, input: "0.5", locations: ["input"],
            message: "must be at least 1, got 0.5"),
        Case(schema: #"{"maximum": 10}"#, input: "10.0"),
        Case(
            schema: #"{"maximum": 10}"#, input: "11", locations: ["input"],
            message: "must be at most 10, got 11"),
        Case(schema: #"{"exclusiveMinimum": 0}"#, input: "0.001"),
        Case(
            schema: #"{"exclusiveMinimum": 0}"#, input: "0", locations: ["input"],
            message: "must be greater than 0, got 0"),
        Case(schema: #"{"exclusiveMaximum": 1.5}"#, input: "1"),
        Case(
            schema: #"{"exclusiveMaximum": 1.5}"#, input: "1.5", locations: ["input"],
            message: "must be less than 1.5, got 1.5"),
        Case(
            schema: #"{"maximum": 9007199254740992}"#, input: "9007199254740993", locations: ["input"],
            message: "must be at most"),
        Case(schema: #"{"minimum": 5}"#, input: #""3""#),
        // pattern: a Swift Regex, found anywhere unless anchored
        Case(schema: #"{"pattern": "^[a-z]+$"}"#, input: #""abc""#),
        Case(
            schema: #"{"pattern": "^[a-z]+$"}"#, input: #""abc1""#, locations: ["input"],
            message: #"must match the pattern "^[a-z]+$""#),
        Case(schema: #"{"pattern": "b\\d"}"#, input: #""ab1c""#),
        Case(schema: #"{"pattern": "^https://"}"#, input: "42"),
        // annotations are ignored; boolean schemas
        Case(
            schema:
                #"{"type": "string", "default": 5, "description": "d", "title": "t", "examples": [1], "$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": "c"}"#,
            input: #""x""#),
        Case(schema: "true", input: #"{"anything": [1]}"#),
        Case(schema: "false", input: "{}", locations: ["input"], message: "is not allowed here"),
    ]

    @Test("type: every JSON type; integer takes whole doubles", arguments: typeCases)
    func types(_ test: Case) throws {
        try Self.expect(test)
    }

    @Test("each keyword accepts what it should and names what it refuses", arguments: keywordCases)
    func keywords(_ test: Case) throws {
        try Self.expect(test)
    }

    static func expect(_ test: Case) throws {
        let violations = try violations(test.schema, test.input)
        #expect(violations.map(\.location) == test.locations)
        for violation in violations {
            #expect(violation.message.contains(test.message), "\(violation.message)")
        }
    }

    static let nested = #"""
        {
          "type": "object",
          "required": ["prompt", "images"],
          "additionalProperties": false,
          "properties": {
            "prompt": {"type": "string", "minLength": 1},
            "images": {
              "type": "array", "maxItems": 3,
              "items": {
                "type": "object", "required": ["url"],
                "properties": {
                  "url": {"type": "string", "pattern": "^https://"},
                  "weight": {"type": "number", "minimum": 0, "maximum": 1}
                }
              }
            },
            "options": {"type": "object", "properties": {"seed": {"type": "integer"}}}
          }
        }
        """#

    @Test("nested objects and arrays: every violation, each with its own path, in the input's order")
    func severalViolations() throws {
        let input = #"""
            {
              "prompt": "",
              "images": [{"url": "https://a"}, {"url": "http://b", "weight": 2}, {"weight": 0.5}, {"url": "https://c"}],
              "options": {"seed": 1.5},
              "extra": true
            }
            """#
        let violations = try Self.violations(Self.nested, input)
        #expect(
            violations.map(\.description) == [
                "input.prompt: must be at least 1 character long, got 0",
                "input.images: must have at most 3 items, got 4",
                #"input.images[1].url: must match the pattern "^https://", got string "http://b""#,
                "input.images[1].weight: must be at most 1, got 2",
                "input.images[2].url: is required but missing",
                "input.options.seed: must be an integer, got number 1.5",
                "input.extra: is not an accepted property; remove it (accepted: images, options, prompt)",
            ])
        let valid =
            #"{"prompt": "p", "images": [{"url": "https://a", "weight": 0.5}], "options": {"seed": 7}}"#
        #expect(try Self.violations(Self.nested, valid).isEmpty)
    }

    @Test("the example of docs/configuration.md reports what the docs say")
    func documentedExample() throws {
        let schema = #"""
            {
              "type": "object", "required": ["prompt"], "additionalProperties": false,
              "properties": {
                "prompt": {"type": "string", "minLength": 1, "maxLength": 2000},
                "aspect_ratio": {"enum": ["16:9", "1:1", "9:16"], "default": "16:9"},
                "num_images": {"type": "integer", "minimum": 1, "maximum": 4},
                "seed": {"type": ["integer", "null"]},
                "image_urls": {"type": "array", "maxItems": 4, "items": {"type": "string", "pattern": "^https://"}}
              }
            }
            """#
        let input =
            #"{"image_urls": ["https://x.test/b.png", "http://x.test/a.png"], "num_images": 2.5, "seed": null}"#
        let violations = try Self.violations(schema, input)
        #expect(
            InputSchema.summary(of: violations)
                == #"input.prompt: is required but missing; input.image_urls[1]: must match the pattern "^https://", got string "http://x.test/a.png"; input.num_images: must be an integer, got number 2.5"#
        )
    }

    @Test("the violation path is a JSONPath relative to the input")
    func violationPath() throws {
        let violations = try Self.violations(Self.nested, #"{"prompt": "p", "images": [{"url": 1}]}"#)
        let violation = try #require(violations.first)
        #expect(violations.count == 1)
        #expect(violation.path == JSONPath([.key("images"), .index(0), .key("url")]))
        #expect(violation.path.description == "images[0].url")
        #expect(violation.location == "input.images[0].url")
    }

    @Test(
        "a long list of violations is summarised with a count of the rest",
        arguments: [(3, 10, 0), (12, 10, 2), (12, 5, 7)])
    func summary(count: Int, limit: Int, rest: Int) throws {
        let schema = try InputSchema(compiling: Self.json(#"{"items": {"type": "string"}}"#))
        let violations = schema.validate(.array(Array(repeating: 1, count: count)))
        #expect(violations.count == count)
        let summary = InputSchema.summary(of: violations, limit: limit)
        #expect(summary.hasPrefix("input[0]: must be a string, got integer 1; input[1]: "))
        #expect(summary.split(separator: "; ").count == min(count, limit) + (rest > 0 ? 1 : 0))
        #expect(
            summary.hasSuffix(
                rest > 0 ? "; and \(rest) more" : "input[\(count - 1)]: must be a string, got integer 1"))
    }

    @Test(
        "a malformed schema is INVALID_CONFIG naming the keyword and its path",
        arguments: [
            (
                #"{"requred": ["a"]}"#,
                "schema.requred: unknown JSON Schema keyword 'requred'; did you mean 'required'?"
            ),
            (#"{"typo": 1}"#, "schema.typo: unknown JSON Schema keyword 'typo'; did you mean 'type'?"),
            (
                #"{"frobnicate": 1}"#,
                "schema.frobnicate: unknown JSON Schema keyword 'frobnicate'; supported: type, required,"
            ),
            (
                #"{"anyOf": [{}]}"#,
                "schema.anyOf: the JSON Schema keyword 'anyOf' is not supported for input validation"
            ),
            (
                #"{"properties": {"a": {"format": "uri"}}}"#,
                "schema.properties.a.format: the JSON Schema keyword 'format' is not supported"
            ),
            (
                #"{"type": "strin"}"#,
                "schema.type: 'strin' is not a JSON Schema type; did you mean 'string'? use one of object, array,"
            ),
            (
                #"{"type": ["string", "flaot"]}"#,
                "schema.type[1]: 'flaot' is not a JSON Schema type; use one of object, array, string, integer,"
            ),
            (#"{"type": []}"#, "schema.type: must be a type name or a non-empty list of them"),
            (
                #"{"properties": {"n": {"type": "int"}}}"#,
                "schema.properties.n.type: 'int' is not a JSON Schema type"
            ),
            (
                #"{"properties": {"x.y": {"type": 3}}}"#,
                #"schema.properties["x.y"].type: must be a type name"#
            ),
            (#"{"properties": ["a"]}"#, "schema.properties: must map property names to schemas"),
            (#"{"required": "prompt"}"#, "schema.required: must be a list of property names"),
            (
                #"{"required": ["a", 1]}"#,
                "schema.required[1]: must be a property name (a string), got integer 1"
            ),
            (#"{"required": ["a", "a"]}"#, "schema.required[1]: 'a' is listed twice"),
            (#"{"pattern": "a("}"#, #"schema.pattern: "a(" is not a valid regular expression"#),
            (
                #"{"items": {"pattern": "[z-a]"}}"#,
                "schema.items.pattern: \"[z-a]\" is not a valid regular expression"
            ),
            (#"{"pattern": 5}"#, "schema.pattern: must be a regular expression (a string)"),
            (#"{"minLength": -1}"#, "schema.minLength: must be a whole number ≥ 0, got integer -1"),
            (#"{"maxItems": 1.5}"#, "schema.maxItems: must be a whole number ≥ 0, got number 1.5"),
            (#"{"minimum": "0"}"#, #"schema.minimum: must be a number, got string "0""#),
            (#"{"exclusiveMinimum": true}"#, "schema.exclusiveMinimum: must be a number: in draft 2020-12"),
            (#"{"enum": []}"#, "schema.enum: must be a non-empty list of the allowed values"),
            (
                #"{"items": [{}]}"#,
                "schema.items: must be one schema for every item; tuple forms (prefixItems)"
            ),
            (#"{"minLength": 3, "maxLength": 2}"#, "schema.minLength: 3 is greater than maxLength 2"),
            (#"{"minItems": 3, "maxItems": 2}"#, "schema.minItems: 3 is greater than maxItems 2"),
            (#"{"minimum": 3, "maximum": 2.5}"#, "schema.minimum: 3 is greater than maximum 2.5"),
            (
                #"{"required": ["b"], "properties": {"a": {}}, "additionalProperties": false}"#,
                "schema.required: 'b' is required but additionalProperties: false forbids it"
            ),
            (
                #"{"additionalProperties": {"typ": "string"}}"#,
                "schema.additionalProperties.typ: unknown JSON Schema keyword"
            ),
            (#""object""#, #"schema: must be a JSON Schema (a mapping, or true/false), got string "object""#),
            (
                #"{"items": 3}"#,
                "schema.items: must be a JSON Schema (a mapping, or true/false), got integer 3"
            ),
        ])
    func compileErrors(schema: String, message: String) throws {
        let value = try Self.json(schema)
        let error = #expect(throws: PollsterError.self) { try InputSchema(compiling: value) }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test(
        "a broken requestSchema disables only its method, naming requestSchema.<keyword>",
        arguments: [
            (
                #"{"type": "object", "properties": {"n": {"type": "strin"}}}"#,
                "requestSchema.properties.n.type: 'strin'"
            ),
            (
                #"{"type": "object", "requred": ["prompt"]}"#,
                "requestSchema.requred: unknown JSON Schema keyword"
            ),
            (#"{"type": "string"}"#, "requestSchema.type: a tool input is always a JSON object"),
            ("false", "requestSchema: a tool input is always a JSON object"),
        ])
    func methodCompile(schema: String, message: String) throws {
        let broken = try Self.json(schema)
        let inventory = InventoryConfig(
            inventory: "acme", baseUrl: "https://api.acme.test",
            methods: [
                MethodConfig(name: "broken", endpoint: "/b", requestSchema: broken),
                MethodConfig(
                    name: "fine", endpoint: "/f", requestSchema: ["type": "object", "required": ["prompt"]]),
            ])
        let (methods, problems) = ToolMethod.compile(inventory)
        #expect(methods.map(\.name) == ["acme.fine"])
        #expect(methods.first?.plan.inputSchema?.validate([:]).map(\.location) == ["input.prompt"])
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.method == "acme.broken")
        #expect(problem.error.code == .invalidConfig)
        #expect(
            problem.error.message.hasPrefix("methods[0] (broken): \(message)"), "\(problem.error.message)")
    }

    @Test("a method without requestSchema has no input schema")
    func noSchema() throws {
        #expect(try ToolMethod.acme().plan.inputSchema == nil)
    }
}
