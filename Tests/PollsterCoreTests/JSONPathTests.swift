import PollsterCore
import Testing

@Suite("JSONPath: parsing, canonical text, evaluation, errors")
struct JSONPathTests {
    // MARK: Parsing and canonical form

    struct ParseCase: Sendable, CustomTestStringConvertible {
        var text: String
        var components: [JSONPath.Component]
        var canonical: String
        var testDescription: String { text }
    }

    static let parseCases: [ParseCase] = [
        .init(text: "a", components: [.key("a")], canonical: "a"),
        .init(
            text: "a.b[0].c", components: [.key("a"), .key("b"), .index(0), .key("c")], canonical: "a.b[0].c"),
        .init(text: "a[*].url", components: [.key("a"), .wildcard, .key("url")], canonical: "a[*].url"),
        .init(text: "a.*.url", components: [.key("a"), .wildcard, .key("url")], canonical: "a[*].url"),
        .init(text: #"a["x.y"]"#, components: [.key("a"), .key("x.y")], canonical: #"a["x.y"]"#),
        .init(text: "a['x.y']", components: [.key("a"), .key("x.y")], canonical: #"a["x.y"]"#),
        .init(
            text: "a['x y'].z", components: [.key("a"), .key("x y"), .key("z")], canonical: #"a["x y"].z"#),
        .init(text: #"a["it's"]"#, components: [.key("a"), .key("it's")], canonical: #"a["it's"]"#),
        .init(
            text: #"a['say "hi"']"#, components: [.key("a"), .key(#"say "hi""#)],
            canonical: #"a["say \"hi\""]"#),
        .init(
            text: #"a["q\"uote"]"#, components: [.key("a"), .key(#"q"uote"#)], canonical: #"a["q\"uote"]"#),
        .init(text: "$.a", components: [.key("a")], canonical: "a"),
        .init(text: "$.a.b", components: [.key("a"), .key("b")], canonical: "a.b"),
        .init(text: "$[0]", components: [.index(0)], canonical: "[0]"),
        .init(text: "$", components: [], canonical: "$"),
        .init(text: "items[-1]", components: [.key("items"), .index(-1)], canonical: "items[-1]"),
        .init(text: "m[0][1]", components: [.key("m"), .index(0), .index(1)], canonical: "m[0][1]"),
        .init(text: "[*]", components: [.wildcard], canonical: "[*]"),
        .init(text: #"["1abc"]"#, components: [.key("1abc")], canonical: #"["1abc"]"#),
        .init(text: #"["*"]"#, components: [.key("*")], canonical: #"["*"]"#),
        .init(
            text: "Response.JobId", components: [.key("Response"), .key("JobId")], canonical: "Response.JobId"
        ),
        .init(
            text: #"data["{id}"].status"#, components: [.key("data"), .key("{id}"), .key("status")],
            canonical: "data.{id}.status"),
        .init(text: "données.clé", components: [.key("données"), .key("clé")], canonical: "données.clé"),
    ]

    @Test("paths parse into components and print canonically", arguments: parseCases)
    func parse(testCase: ParseCase) throws {
        let path = try JSONPath(parsing: testCase.text)
        #expect(path.components == testCase.components)
        #expect(path.description == testCase.canonical)
        // The canonical text parses back to the same path.
        #expect(try JSONPath(parsing: path.description) == path)
    }

    @Test("description of built paths quotes keys that need it")
    func descriptionOfBuiltPaths() {
        #expect(JSONPath([]).description == "$")
        #expect(JSONPath([.key("a"), .key("b c"), .index(2)]).description == #"a["b c"][2]"#)
        #expect(JSONPath([.key("$")]).description == #"["$"]"#)
        #expect(JSONPath([.key("")]).description == #"[""]"#)
        #expect(JSONPath([.key("a]b")]).description == #"["a]b"]"#)
        #expect(JSONPath([.key("a")]).appending(.wildcard).appending(.key("url")).description == "a[*].url")
        // A numeric key is written with brackets so it reads as a key.
        #expect(JSONPath([.key("data"), .key("123"), .key("status")]).description == #"data["123"].status"#)
    }

    @Test(
        "description is canonical",
        arguments: [("$.a.b", "a.b"), (#"a["x.y"][0]"#, #"a["x.y"][0]"#), ("a[*]", "a[*]")])
    func canonical(text: String, expected: String) throws {
        #expect(try JSONPath(parsing: text).description == expected)
    }

    static let awkwardKeys: [String] = [
        "$oid", "$", "a$", "x.y", "x y", "it's", #"say "hi""#, #"back\slash"#, "*", "a*b", "1st", "", "a]b",
        "{id}", "clé",
    ]

    @Test("the canonical text of any key parses back to the same path", arguments: awkwardKeys)
    func canonicalRoundTrip(key: String) throws {
        for path in [JSONPath([.key(key)]), JSONPath([.key("root"), .key(key), .index(0)])] {
            #expect(try JSONPath(parsing: path.description) == path, "\(path.description)")
        }
    }

    @Test("keys with control characters round-trip through the canonical text")
    func controlCharacterKeys() throws {
        // A plain key is written as it is, control characters included, and reads back.
        for key in ["line\nbreak", "tab\there"] {
            let path = JSONPath([.key(key)])
            #expect(try JSONPath(parsing: path.description) == path)
        }
        // A key that needs brackets is written with JSON escapes (`\n`, `\u0007`), which the
        // parser decodes.
        for key in ["x.y\nz", "1\t", "a b\u{7}", "q\"uote\\d", "emoji 😀 ü"] {
            let path = JSONPath([.key(key)])
            let reparsed = try JSONPath(parsing: path.description)
            #expect(reparsed == path, "\(path.description)")
        }
        #expect(try JSONPath(parsing: #"["a\u00e9\ud83d\ude00"]"#) == JSONPath([.key("aé😀")]))
        #expect(throws: (any Error).self) { try JSONPath(parsing: #"["a\u00g9"]"#) }
    }

    // MARK: Evaluation

    static let document: JSONValue = [
        "a": ["b": [["c": 1], ["c": 2]]],
        "list": [["url": "u1"], ["url": "u2"], ["nourl": true]],
        "x.y": 5,
        "m": ["x.y": "dot", "it's": "quote"],
        "x y": 7,
        "items": [10, 20, 30],
        "obj": ["k2": ["v": 2], "k1": ["v": 1], "k3": ["w": 3]],
        "grid": [[1, 2], [3, 4]],
        "nullable": nil,
    ]

    static let evaluationCases: [(String, [JSONValue])] = [
        ("a.b[0].c", [1]),
        ("a.b[1].c", [2]),
        ("a.b[2].c", []),
        ("a.b[*].c", [1, 2]),
        ("a[*].url", []),
        ("list[*].url", ["u1", "u2"]),
        ("list.*.url", ["u1", "u2"]),
        (#"["x.y"]"#, [5]),
        (#"m["x.y"]"#, ["dot"]),
        (#"m["it's"]"#, ["quote"]),
        ("['x y']", [7]),
        ("$.items", [[10, 20, 30]]),
        ("$.items[0]", [10]),
        ("items[-1]", [30]),
        ("items[-3]", [10]),
        ("items[-4]", []),
        ("items[3]", []),
        ("items[*]", [10, 20, 30]),
        // A wildcard takes object members in document order.
        ("obj[*].v", [2, 1]),
        ("obj[*]", [["v": 2], ["v": 1], ["w": 3]]),
        ("grid[*][1]", [2, 4]),
        ("grid[-1][-1]", [4]),
        ("a.b.c", []),
        ("items.first", []),
        ("missing", []),
        ("missing[*].x", []),
        ("nullable", [nil]),
        ("$", [document]),
    ]

    @Test("paths select the expected values", arguments: evaluationCases)
    func evaluate(text: String, expected: [JSONValue]) throws {
        let path = try JSONPath(parsing: text)
        #expect(path.values(in: Self.document) == expected)
        #expect(path.firstValue(in: Self.document) == expected.first)
    }

    static let matchCases: [(String, [String])] = [
        ("list[*].url", ["list[0].url", "list[1].url"]),
        ("obj[*].v", ["obj.k2.v", "obj.k1.v"]),
        ("items[-1]", ["items[2]"]),
        ("grid[*][0]", ["grid[0][0]", "grid[1][0]"]),
        ("[*]", ["a", "list", #"["x.y"]"#, "m", #"["x y"]"#, "items", "obj", "grid", "nullable"]),
        (#"m["x.y"]"#, [#"m["x.y"]"#]),
        ("missing", []),
    ]

    /// A document of URL lists and maps, as provider answers hold them.
    static let outputs: JSONValue = [
        "a": ["b": [["c": 1], ["c": 2]]],
        "items": [["url": "u1"], ["url": "u2"], ["url": "u3"]],
        "x.y": "dotted",
        "map": ["k1": ["url": "m1"], "k2": ["url": "m2"]],
    ]

    static let outputCases: [(String, [JSONValue])] = [
        ("a.b[0].c", [JSONValue.integer(1)]), ("$.a.b[1].c", [2]), ("items[*].url", ["u1", "u2", "u3"]),
        (#"["x.y"]"#, ["dotted"]), ("['x.y']", ["dotted"]), ("items[-1].url", ["u3"]),
        ("map[*].url", ["m1", "m2"]), ("map.*.url", ["m1", "m2"]), ("missing.key", []), ("items[9]", []),
    ]

    @Test("paths select URLs from lists and maps", arguments: outputCases)
    func evaluateOutputs(text: String, expected: [JSONValue]) throws {
        #expect(try JSONPath(parsing: text).values(in: Self.outputs) == expected)
    }

    @Test("wildcard matches report the concrete path of each URL")
    func concreteOutputPaths() throws {
        let matches = try JSONPath(parsing: "items[*].url").matches(in: Self.outputs)
        #expect(matches.map(\.path.description) == ["items[0].url", "items[1].url", "items[2].url"])
    }

    @Test("matches(in:) gives the concrete path of every value", arguments: matchCases)
    func concretePaths(text: String, expected: [String]) throws {
        let path = try JSONPath(parsing: text)
        let matches = path.matches(in: Self.document)
        #expect(matches.map(\.path.description) == expected)
        // Every concrete path leads to the value it was reported with.
        for match in matches {
            #expect(match.path.firstValue(in: Self.document) == match.value)
            #expect(!match.path.components.contains(.wildcard))
        }
    }

    @Test("wildcards over a scalar select nothing")
    func wildcardOverScalar() throws {
        #expect(try JSONPath(parsing: "[*]").values(in: 5).isEmpty)
        #expect(try JSONPath(parsing: "a[*]").values(in: ["a": "text"]).isEmpty)
        #expect(try JSONPath(parsing: "a[0]").firstValue(in: ["a": ["k": 1]]) == nil)
    }

    @Test("{id} in a key binds to the task id")
    func taskIdBinding() throws {
        let path = try JSONPath(parsing: #"data["{id}"].status"#)
        #expect(path.usesTaskId)
        let bound = path.binding(taskId: "18427036011010")
        #expect(bound.components == [.key("data"), .key("18427036011010"), .key("status")])
        #expect(!bound.usesTaskId)
        #expect(bound.firstValue(in: ["data": ["18427036011010": ["status": 50]]]) == 50)
        #expect(path.binding(taskId: nil) == path)
        #expect(path.binding(taskId: nil).firstValue(in: ["data": ["42": ["status": 50]]]) == nil)
        let plain = try JSONPath(parsing: "data.status")
        #expect(!plain.usesTaskId)
        #expect(plain.binding(taskId: "x") == plain)
    }

    // MARK: Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var reason: String
        var character: Int
        var testDescription: String { text.debugDescription }
    }

    static let errorCases: [ErrorCase] = [
        .init(text: "", reason: "the path is empty", character: 1),
        .init(text: "a.", reason: "the path ends with '.'", character: 3),
        .init(text: "a[", reason: "unclosed '['", character: 2),
        .init(text: "a[x]", reason: "expected an index, '*' or a quoted key inside '[ ]'", character: 3),
        .init(text: "a..b", reason: "empty key before '.'", character: 3),
        .init(text: ".a", reason: "empty key before '.'", character: 1),
        .init(text: "a[0", reason: "expected ']'", character: 4),
        .init(text: "a[0]b", reason: "expected '.' or '['", character: 5),
        .init(text: #"a["x"#, reason: "unclosed quoted key", character: 2),
        .init(text: "a]", reason: "unexpected ']'", character: 2),
        .init(text: "a[*x]", reason: "expected ']'", character: 4),
        .init(text: "a[]", reason: "expected an index, '*' or a quoted key inside '[ ]'", character: 3),
    ]

    @Test("malformed paths throw INVALID_CONFIG naming the reason and position", arguments: errorCases)
    func errors(testCase: ErrorCase) {
        let error = #expect(throws: PollsterError.self) { try JSONPath(parsing: testCase.text) }
        #expect(error?.code == .invalidConfig)
        #expect(
            error?.message
                == "invalid JSON path '\(testCase.text)': \(testCase.reason) at character \(testCase.character)"
        )
    }
}
