import PollsterCore
import Testing

@Suite("JSON parser and writer")
struct JSONParserTableTests {
    static let validCases: [(String, JSONValue)] = [
        (
            #"{"a": [1, 2.5, -3e2, true, false, null]}"#,
            JSONValue.object(["a": [1, 2.5, -300.0, true, false, nil]])
        ),
        (#""caf\u00e9 \ud83d\ude00 \n""#, .string("café 😀 \n")),
        ("9007199254740993", .integer(9_007_199_254_740_993)),
        ("  [ ]  ", .array([])),
        (#"{"nested": {"x": {"y": "z"}}}"#, ["nested": ["x": ["y": "z"]]]),
    ]

    @Test(
        "valid documents parse to the expected value",
        arguments: validCases)
    func valid(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(
        "invalid documents fail with a reason",
        arguments: [
            (#"{"a":"#, "truncated"), ("<html><body>502</body></html>", "HTML"),
            (#"{"a": 1} x"#, "after the JSON value"),
            ("[1, 2", "truncated"), ("\"tab\there\"", "control character"), (#"{"a" 1}"#, "expected ':'"),
            ("01", "after the JSON value"), (#""\ud800""#, "surrogate"),
        ])
    func invalid(text: String, reason: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("parsed invalid JSON: \(text)")
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
    }

    @Test("nesting deeper than the limit is refused instead of exhausting the stack")
    func depthLimit() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
    }

    @Test("writing sorts keys and round-trips")
    func roundTrip() throws {
        let value: JSONValue = ["b": [1, "two", nil], "a": ["é": 1.5, "q": "\"\n"]]
        let text = JSONWriter.string(value)
        #expect(text == #"{"a":{"q":"\"\n","é":1.5},"b":[1,"two",null]}"#)
        #expect(try JSONParser.parse(text) == value)
    }
}

@Suite("JSON paths")
struct JSONPathTableTests {
    static let document: JSONValue = [
        "a": ["b": [["c": 1], ["c": 2]]],
        "items": [["url": "u1"], ["url": "u2"], ["url": "u3"]],
        "x.y": "dotted",
        "map": ["k1": ["url": "m1"], "k2": ["url": "m2"]],
    ]

    static let selectCases: [(String, [JSONValue])] = [
        ("a.b[0].c", [JSONValue.integer(1)]), ("$.a.b[1].c", [2]), ("items[*].url", ["u1", "u2", "u3"]),
        (#"["x.y"]"#, ["dotted"]), ("['x.y']", ["dotted"]), ("items[-1].url", ["u3"]),
        ("map[*].url", ["m1", "m2"]), ("map.*.url", ["m1", "m2"]), ("missing.key", []), ("items[9]", []),
    ]

    @Test(
        "paths select the expected values",
        arguments: selectCases)
    func select(path: String, expected: [JSONValue]) throws {
        #expect(try JSONPath(parsing: path).values(in: Self.document) == expected)
    }

    @Test("wildcard matches report the concrete path of each value")
    func concretePaths() throws {
        let matches = try JSONPath(parsing: "items[*].url").matches(in: Self.document)
        #expect(matches.map(\.path.description) == ["items[0].url", "items[1].url", "items[2].url"])
    }

    @Test(
        "description is canonical",
        arguments: [("$.a.b", "a.b"), (#"a["x.y"][0]"#, #"a["x.y"][0]"#), ("a[*]", "a[*]")])
    func canonical(text: String, expected: String) throws {
        #expect(try JSONPath(parsing: text).description == expected)
    }

    @Test("a numeric key is written with brackets so it reads as a key")
    func numericKey() {
        #expect(JSONPath([.key("data"), .key("123"), .key("status")]).description == #"data["123"].status"#)
    }

    @Test("bad paths are INVALID_CONFIG with a position", arguments: ["", "a.", "a[", "a[x]", "a..b", "a]"])
    func invalid(text: String) {
        #expect {
            _ = try JSONPath(parsing: text)
        } throws: { error in
            (error as? PollsterError)?.code == .invalidConfig
        }
    }

    @Test("{id} in a key binds to the task id")
    func binding() throws {
        let path = try JSONPath(parsing: #"data["{id}"].status"#)
        #expect(path.usesTaskId)
        let body: JSONValue = ["data": ["42": ["status": 50]]]
        #expect(path.binding(taskId: "42").firstValue(in: body) == 50)
        #expect(path.binding(taskId: nil).firstValue(in: body) == nil)
    }
}
