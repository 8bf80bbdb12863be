import OrderedCollections
import PollsterCore
import Testing

@Suite("JSONParser: valid documents, failures with offsets, writer round trip")
struct JSONParserTests {
    // MARK: Valid documents

    static let validCases: [(String, JSONValue)] = [
        // Nesting.
        (
            #"{"a": {"b": [1, 2, {"c": null}]}, "d": true, "e": false}"#,
            JSONValue.object(["a": ["b": [1, 2, ["c": nil]]], "d": true, "e": false])
        ),
        ("[[[[]]], {}]", [[[[]]], [:]]),
        (#"{"nested": {"x": {"y": "z"}}}"#, ["nested": ["x": ["y": "z"]]]),
        (#"{"a": [1, 2.5, -3e2, true, false, null]}"#, ["a": [1, 2.5, -300.0, true, false, nil]]),
        (#"{"": "empty key"}"#, ["": "empty key"]),
        // Whitespace around and inside.
        (" \n\t[ 1 ,\r\n 2 ]\r\n ", [1, 2]),
        ("  [ ]  ", []),
        // Simple escapes.
        (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        // \u escapes: BMP, CJK, and a surrogate pair.
        (#""caf\u00e9""#, "café"),
        (#""\u4E2D\u6587""#, "中文"),
        (#""\ud83d\ude00 smile""#, "😀 smile"),
        (#""\uD834\uDD1E""#, "𝄞"),
        (#""caf\u00e9 \ud83d\ude00 \n""#, "café 😀 \n"),
        // Raw UTF-8 passes through.
        (#""héllo wörld""#, "héllo wörld"),
        // Integers stay integers, including ids beyond 2^53 and the Int64 limits.
        ("0", .integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("7384019283746", .integer(7_384_019_283_746)),
        ("9007199254740993", .integer(9_007_199_254_740_993)),
        ("9223372036854775807", .integer(Int64.max)),
        ("-9223372036854775808", .integer(Int64.min)),
        // Floats and exponents are doubles.
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+2", .double(100)),
        ("2.5e-3", .double(0.0025)),
        ("-3E2", .double(-300)),
        ("1.0", .double(1)),
        // Beyond Int64: falls back to a double rather than failing.
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        // Literals at the top level.
        ("true", true),
        ("null", nil),
    ]

    @Test("valid documents parse to the expected value", arguments: validCases)
    func valid(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test("bytes and text parse the same")
    func bytesAndText() throws {
        let text = #"{"id": 7384019283746, "name": "ünï"}"#
        let fromBytes = try JSONParser.parse(Array(text.utf8))
        let fromText = try JSONParser.parse(text)
        #expect(fromBytes == fromText)
        #expect(fromText["id"] == .integer(7_384_019_283_746))
    }

    @Test("a big integer is .integer, not .double")
    func bigIntegerKeepsItsType() throws {
        let value = try JSONParser.parse(#"{"id": 1234567890123456789}"#)
        guard case .integer(let id)? = value["id"] else {
            Issue.record("expected .integer, got \(String(describing: value["id"]))")
            return
        }
        #expect(id == 1_234_567_890_123_456_789)
    }

    // MARK: Invalid documents

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var text: String
        var reason: String
        var offset: Int
        var testDescription: String { "\(text.debugDescription) → \(reason) @\(offset)" }
    }

    static let invalidCases: [InvalidCase] = [
        .init(text: #"{"a":"#, reason: "unexpected end of input (truncated JSON?)", offset: 5),
        .init(text: #"{"a": [1, 2"#, reason: "unexpected end of input (truncated JSON?)", offset: 11),
        .init(text: "[1, 2", reason: "unexpected end of input (truncated JSON?)", offset: 5),
        .init(text: #""abc"#, reason: "unterminated string (truncated JSON?)", offset: 4),
        .init(text: "", reason: "unexpected end of input (truncated JSON?)", offset: 0),
        .init(text: "   ", reason: "unexpected end of input (truncated JSON?)", offset: 3),
        .init(text: "tru", reason: "unexpected end of input (truncated JSON?)", offset: 0),
        .init(
            text: "<html><body>502 Bad Gateway</body></html>",
            reason: "body looks like HTML or XML, not JSON", offset: 0),
        .init(text: "  <?xml version=\"1.0\"?>", reason: "body looks like HTML or XML, not JSON", offset: 2),
        .init(
            text: "<html><body>502</body></html>", reason: "body looks like HTML or XML, not JSON", offset: 0),
        .init(text: #"{"a": 1} x"#, reason: "unexpected text after the JSON value", offset: 9),
        .init(text: "[1] [2]", reason: "unexpected text after the JSON value", offset: 4),
        .init(text: "01", reason: "unexpected text after the JSON value", offset: 1),
        .init(text: "\"a\nb\"", reason: "control character in a string", offset: 2),
        .init(text: "\"\\n\tx\"", reason: "control character in a string", offset: 3),
        .init(text: "\"\u{1}\"", reason: "control character in a string", offset: 1),
        .init(text: "\"tab\there\"", reason: "control character in a string", offset: 4),
        .init(text: #"{"a" 1}"#, reason: "expected ':' after an object key", offset: 5),
        .init(text: "{'a': 1}", reason: "expected a quoted object key", offset: 1),
        .init(text: #"{"a": 1,}"#, reason: "expected a quoted object key", offset: 8),
        .init(text: #"{"a": 1 "b": 2}"#, reason: "expected ',' or '}' in an object", offset: 8),
        .init(text: "[1 2]", reason: "expected ',' or ']' in an array", offset: 3),
        .init(text: "[1,]", reason: "unexpected character ']'", offset: 3),
        .init(text: "nul", reason: "unexpected end of input (truncated JSON?)", offset: 0),
        .init(text: "nulL", reason: "invalid literal", offset: 0),
        .init(text: "1.", reason: "invalid number", offset: 2),
        .init(text: "-", reason: "invalid number", offset: 1),
        .init(text: "1e", reason: "invalid number", offset: 2),
        .init(text: "+1", reason: "unexpected character '+'", offset: 0),
        .init(text: #""\x""#, reason: "invalid escape '\\x'", offset: 3),
        .init(text: #""\u12G4""#, reason: "invalid hex digit in unicode escape", offset: 5),
        .init(text: #""\ud83d""#, reason: "unpaired UTF-16 surrogate", offset: 7),
        .init(text: #""\ude00""#, reason: "unpaired UTF-16 surrogate", offset: 7),
        .init(text: #""\ud800""#, reason: "unpaired UTF-16 surrogate", offset: 7),
        .init(text: #""\ud83d\u0041""#, reason: "invalid UTF-16 surrogate pair", offset: 13),
    ]

    @Test("invalid documents fail with the reason and the byte offset", arguments: invalidCases)
    func invalid(testCase: InvalidCase) {
        let failure = #expect(throws: JSONParser.Failure.self) {
            _ = try JSONParser.parse(testCase.text)
        }
        #expect(failure?.reason == testCase.reason)
        #expect(failure?.offset == testCase.offset)
    }

    @Test("a failure describes itself with the reason and the offset")
    func failureDescription() {
        do {
            _ = try JSONParser.parse(#"{"a":"#)
            Issue.record("truncated JSON parsed")
        } catch {
            #expect(error.description == "unexpected end of input (truncated JSON?) at byte 5")
        }
    }

    // MARK: Depth limit

    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test("300 nested arrays are refused at the depth limit, not by exhausting the stack")
    func depthLimit() {
        let failure = #expect(throws: JSONParser.Failure.self) {
            _ = try JSONParser.parse(Self.nested(300))
        }
        #expect(failure?.reason == "JSON nested too deeply")
        #expect(failure?.offset == JSONParser.maximumDepth)
    }

    @Test("nesting up to the limit is accepted; one more level is refused")
    func depthBoundary() throws {
        #expect(JSONParser.maximumDepth == 256)
        var value = try JSONParser.parse(Self.nested(JSONParser.maximumDepth))
        var depth = 0
        while case .array(let items) = value, let first = items.first {
            value = first
            depth += 1
        }
        #expect(depth == JSONParser.maximumDepth - 1)
        #expect(throws: JSONParser.Failure.self) {
            _ = try JSONParser.parse(Self.nested(JSONParser.maximumDepth + 1))
        }
        let objects = String(repeating: #"{"a":"#, count: 300) + "1" + String(repeating: "}", count: 300)
        #expect(throws: JSONParser.Failure.self) { _ = try JSONParser.parse(objects) }
    }

    // MARK: Writer round trip

    static let writerCases: [(JSONValue, String)] = [
        (
            JSONValue.object(["b": 1, "a": [true, nil, "x\ny"], "c": ["z": 1.5, "y": -2]]),
            #"{"b":1,"a":[true,null,"x\ny"],"c":{"z":1.5,"y":-2}}"#
        ),
        (["Z": 1, "a": 2, "_": 3, "B": 4], #"{"Z":1,"a":2,"_":3,"B":4}"#),
        (
            ["b": [1, "two", nil], "a": ["é": 1.5, "q": "\"\n"]],
            #"{"b":[1,"two",null],"a":{"é":1.5,"q":"\"\n"}}"#
        ),
        (.string("quote \" backslash \\ tab \t cr \r"), #""quote \" backslash \\ tab \t cr \r""#),
        (.string("\u{1}\u{1F}"), #""\u0001\u001f""#),
        (.string("café 😀 中"), "\"café 😀 中\""),
        (.integer(9_007_199_254_740_993), "9007199254740993"),
        (.integer(Int64.min), "-9223372036854775808"),
        (.double(1.0), "1"),
        (.double(0.1), "0.1"),
        (.double(-2.5), "-2.5"),
        (.double(1e20), "1e+20"),
        (.double(.nan), "null"),
        ([], "[]"),
        ([:], "{}"),
        (nil, "null"),
    ]

    @Test("JSONWriter.string is compact, object members in stored order", arguments: writerCases)
    func writer(value: JSONValue, expected: String) {
        #expect(JSONWriter.string(value) == expected)
        #expect(JSONWriter.bytes(value) == Array(expected.utf8))
        #expect(value.description == expected)
    }

    static let canonicalCases: [(JSONValue, String)] = [
        (
            ["b": 1, "a": [true, nil, ["y": 1, "x": 2]], "c": ["z": 1.5, "y": -2]],
            #"{"a":[true,null,{"x":2,"y":1}],"b":1,"c":{"y":-2,"z":1.5}}"#
        ),
        (["Z": 1, "a": 2, "_": 3, "B": 4], #"{"B":4,"Z":1,"_":3,"a":2}"#),
        (["é": 1, "q": 2], #"{"q":2,"é":1}"#),
        ([["b": 1, "a": 2]], #"[{"a":2,"b":1}]"#),
        ("text", #""text""#),
        ([:], "{}"),
    ]

    @Test("JSONWriter.canonical sorts the keys of every object", arguments: canonicalCases)
    func canonical(value: JSONValue, expected: String) {
        #expect(JSONWriter.canonical(value) == expected)
        // The same text whatever order the members were stored in.
        #expect(JSONWriter.canonical(Self.reversingMembers(value)) == expected)
    }

    /// `value` with the members of every object in reverse order.
    static func reversingMembers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var reversed = OrderedDictionary<String, JSONValue>()
            for (key, member) in members.reversed() { reversed[key] = reversingMembers(member) }
            return .object(reversed)
        case .array(let items): return .array(items.map(reversingMembers))
        default: return value
        }
    }

    static let roundTripDocuments: [String] = [
        #"{"b": 1, "a": [true, null, "x\ny"], "c": {"z": 1.5, "y": -2}}"#,
        #"{"id": 7384019283746, "big": 9223372036854775807, "f": 0.1, "e": 1e-7}"#,
        #"["\ud83d\ude00", "\u0000\u001f", "é", "\"\\/"]"#,
        #"{"data": {"video_id": "v1", "error": null, "list": [[], {}, [{}]]}}"#,
        #"{"a":{"q":"\"\n","é":1.5},"b":[1,"two",null]}"#,
    ]

    @Test("parse → write → parse gives the same value", arguments: roundTripDocuments)
    func roundTrip(text: String) throws {
        let value = try JSONParser.parse(text)
        let written = JSONWriter.string(value)
        #expect(try JSONParser.parse(written) == value)
        // Writing keeps the document's member order: a second round gives the same text.
        #expect(JSONWriter.string(try JSONParser.parse(written)) == written)
    }
}
