import Foundation
import PollsterCore
import Testing

/// `JSONValueDecoder` against `JSONDecoder`: the same values, and the same `DecodingError` kind,
/// type and coding path for the same document.
@Suite("JSONValueDecoder")
struct JSONValueDecoderTests {
    struct Sample: Decodable, Equatable {
        var name: String
        var count: Int?
        var ids: [Int64]
        var ratio: Double
        var flags: [String: Bool]
        var nested: Inner?
    }

    struct Inner: Decodable, Equatable {
        var level: Int
        var tags: [String]
    }

    enum Mode: String, Decodable, Equatable {
        case fast, slow
    }

    /// Two elements read by hand from an unkeyed container: an integer, then a string.
    struct Pair: Decodable, Equatable {
        var number: Int
        var text: String
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            number = try container.decode(Int.self)
            text = try container.decode(String.self)
        }
    }

    /// A default for an absent or null key, as the config types have.
    struct WithDefault: Decodable, Equatable {
        var retries: Int
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            retries = try container.decodeIfPresent(Int.self, forKey: .retries) ?? 3
        }
        enum CodingKeys: String, CodingKey { case retries }
    }

    /// Nested containers and a super decoder, opened by hand: `{"outer": {"inner": [n, …]},
    /// "super": n}`.
    struct Nested: Decodable, Equatable {
        var numbers: [Int]
        var base: Int
        init(from decoder: any Decoder) throws {
            let top = try decoder.container(keyedBy: Key.self)
            let outer = try top.nestedContainer(keyedBy: Key.self, forKey: Key("outer"))
            var inner = try outer.nestedUnkeyedContainer(forKey: Key("inner"))
            numbers = []
            while !inner.isAtEnd { numbers.append(try inner.decode(Int.self)) }
            base = try Int(from: top.superDecoder())
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The types the table decodes.
    enum Target: String, Sendable {
        case sample, pair, withDefault, nested, mode, modes, int, int8, uint, int64, double, float, bool
        case string, optionalString, optionalStrings, intMap, stringMap
    }

    /// A decode's result in comparable form: the value's description or the error's kind, type
    /// and path (`key`, or `Index 1#1` for an array position with its `intValue`).
    enum Outcome: Equatable, CustomStringConvertible {
        case value(String)
        case typeMismatch(String, path: String)
        case valueNotFound(String, path: String)
        case keyNotFound(String, path: String)
        case dataCorrupted(path: String, message: String)
        case other(String)

        init(_ error: any Error) {
            func path(_ keys: [any CodingKey]) -> String {
                keys.map { key in key.intValue.map { "\(key.stringValue)#\($0)" } ?? key.stringValue }
                    .joined(separator: "/")
            }
            switch error as? DecodingError {
            case .typeMismatch(let type, let context)?:
                self = .typeMismatch("\(type)", path: path(context.codingPath))
            case .valueNotFound(let type, let context)?:
                self = .valueNotFound("\(type)", path: path(context.codingPath))
            case .keyNotFound(let key, let context)?:
                self = .keyNotFound(key.stringValue, path: path(context.codingPath))
            case .dataCorrupted(let context)?:
                self = .dataCorrupted(path: path(context.codingPath), message: context.debugDescription)
            default: self = .other("\(error)")
            }
        }

        var description: String {
            switch self {
            case .value(let text): "value \(text)"
            case .typeMismatch(let type, let path): "typeMismatch(\(type)) at '\(path)'"
            case .valueNotFound(let type, let path): "valueNotFound(\(type)) at '\(path)'"
            case .keyNotFound(let key, let path): "keyNotFound(\(key)) at '\(path)'"
            case .dataCorrupted(let path, let message): "dataCorrupted at '\(path)': \(message)"
            case .other(let text): "other: \(text)"
            }
        }
    }

    static func outcome(_ target: Target, _ json: String, foundation: Bool) -> Outcome {
        switch target {
        case .sample: run(Sample.self, json, foundation)
        case .pair: run(Pair.self, json, foundation)
        case .withDefault: run(WithDefault.self, json, foundation)
        case .nested: run(Nested.self, json, foundation)
        case .mode: run(Mode.self, json, foundation)
        case .modes: run([Mode].self, json, foundation)
        case .int: run(Int.self, json, foundation)
        case .int8: run(Int8.self, json, foundation)
        case .uint: run(UInt.self, json, foundation)
        case .int64: run(Int64.self, json, foundation)
        case .double: run(Double.self, json, foundation)
        case .float: run(Float.self, json, foundation)
        case .bool: run(Bool.self, json, foundation)
        case .string: run(String.self, json, foundation)
        case .optionalString: run(String?.self, json, foundation)
        case .optionalStrings: run([String?].self, json, foundation)
        case .intMap: run([Int: String].self, json, foundation)
        case .stringMap: run([String: Int].self, json, foundation)
        }
    }

    private static func run<T: Decodable>(_ type: T.Type, _ json: String, _ foundation: Bool) -> Outcome {
        do {
            let value =
                foundation
                ? try JSONDecoder().decode(type, from: Data(json.utf8))
                : try JSONValueDecoder().decode(type, from: JSONParser.parse(json))
            return .value(String(describing: value))
        } catch {
            return Outcome(error)
        }
    }

    static let sample = #"""
        {"name": "n", "count": 2, "ids": [1, 7384019283746], "ratio": 0.5, "flags": {"a": true},
         "nested": {"level": 1, "tags": ["x"]}}
        """#

    /// `sample` with `member` replaced by `value` (or removed when `value` is nil).
    static func sample(_ member: String, _ value: String?) -> String {
        let members = [
            ("name", #""n""#), ("count", "2"), ("ids", "[1, 7384019283746]"), ("ratio", "0.5"),
            ("flags", #"{"a": true}"#), ("nested", #"{"level": 1, "tags": ["x"]}"#),
        ]
        let kept = members.compactMap { name, text -> String? in
            guard name == member else { return #""\#(name)": \#(text)"# }
            return value.map { #""\#(name)": \#($0)"# }
        }
        return "{" + kept.joined(separator: ", ") + "}"
    }

    static let agreeingCases: [(Target, String)] = [
        // Values.
        (.sample, sample),
        (.sample, sample("count", nil)),
        (.sample, sample("count", "null")),
        (.sample, sample("count", "2.0")),
        (.sample, sample("ratio", "3")),
        (.sample, sample("nested", "null")),
        (.withDefault, "{}"),
        (.withDefault, #"{"retries": null}"#),
        (.withDefault, #"{"retries": 5}"#),
        (.pair, #"[1, "a"]"#),
        (.nested, #"{"outer": {"inner": [1, 2]}, "super": 3}"#),
        (.mode, #""fast""#),
        (.int, "1e2"),
        (.int, "-0.0"),
        (.int64, "9223372036854775807"),
        (.int64, "-9223372036854775808"),
        (.double, "9007199254740993"),
        (.double, "1e-7"),
        (.float, "0.1"),
        (.optionalString, "null"),
        (.optionalStrings, #"[null, "a"]"#),
        // One member each: a Dictionary's description follows its hash order.
        (.intMap, #"{"1": "a"}"#),
        (.stringMap, #"{"a": 1}"#),
        // typeMismatch.
        (.sample, sample("name", "1")),
        (.sample, sample("ids", #"["x"]"#)),
        (.sample, sample("ids", "{}")),
        (.sample, sample("flags", "[]")),
        (.sample, sample("flags", #"{"k": "v"}"#)),
        (.sample, sample("nested", #"{"level": 1, "tags": [1]}"#)),
        (.sample, sample("nested", #"{"level": true, "tags": []}"#)),
        (.sample, "[]"),
        (.sample, #""text""#),
        (.pair, "{}"),
        (.nested, #"{"outer": {"inner": {}}, "super": 3}"#),
        (.nested, #"{"outer": {"inner": [1, "x"]}, "super": 3}"#),
        (.nested, #"{"outer": [], "super": 3}"#),
        (.int, "true"),
        (.bool, "1"),
        (.bool, "null"),
        (.string, "1"),
        (.double, #""1""#),
        (.intMap, #"{"x": "a"}"#),
        (.stringMap, "[]"),
        // valueNotFound.
        (.sample, sample("name", "null")),
        (.sample, sample("ids", "[1, null]")),
        (.sample, sample("ids", "null")),
        (.sample, sample("flags", #"{"k": null}"#)),
        (.sample, "null"),
        (.pair, "[1]"),
        (.pair, "[1, null]"),
        (.pair, "[]"),
        (.pair, "null"),
        (.int, "null"),
        (.nested, #"{"outer": null, "super": 3}"#),
        (.nested, #"{"outer": {"inner": null}, "super": 3}"#),
        (.nested, #"{"outer": {"inner": []}}"#),
        // keyNotFound.
        (.sample, sample("name", nil)),
        (.sample, sample("nested", #"{"level": 1}"#)),
        (.sample, "{}"),
        (.nested, #"{"super": 3}"#),
        (.nested, #"{"outer": {}, "super": 3}"#),
        // dataCorrupted (a RawRepresentable's own error, at the element's path).
        (.mode, #""medium""#),
        (.modes, #"["fast", "medium"]"#),
    ]

    @Test("the same value or the same error as JSONDecoder", arguments: agreeingCases)
    func agreesWithJSONDecoder(target: Target, json: String) {
        let expected = Self.outcome(target, json, foundation: true)
        #expect(Self.outcome(target, json, foundation: false) == expected, "\(json)")
    }

    /// Dates and data as the stores write them: `JSONEncoder` with `.secondsSince1970`, `Data` as base64.
    struct Stamped: Decodable, Equatable {
        var at: Date
        var later: Date?
        var dates: [Date]
        var body: Data
    }

    static let strategyCases = [
        #"{"at": 1700000000.25, "later": 1700000001, "dates": [0, 1.5], "body": "aGVsbG8="}"#,
        #"{"at": 1700000000, "later": null, "dates": [], "body": ""}"#,
        #"{"at": 1700000000, "dates": [], "body": "not base64!"}"#,
        #"{"at": "yesterday", "dates": [], "body": ""}"#,
        #"{"at": null, "dates": [], "body": ""}"#,
        #"{"at": 1, "dates": [null], "body": ""}"#,
        #"{"at": 1, "dates": [], "body": [104, 105]}"#,
        #"{"at": 1, "dates": [], "body": null}"#,
    ]

    @Test("dates since 1970 and base64 data: as JSONDecoder's strategies read them", arguments: strategyCases)
    func strategies(json: String) {
        func outcome(_ decode: () throws -> Stamped) -> Outcome {
            do { return .value("\(try decode())") } catch { return Outcome(error) }
        }
        let foundation = JSONDecoder()
        foundation.dateDecodingStrategy = .secondsSince1970
        let expected = outcome { try foundation.decode(Stamped.self, from: Data(json.utf8)) }
        let decoder = JSONValueDecoder(options: .init(datesSince1970: true, base64Data: true))
        #expect(
            outcome { try decoder.decode(Stamped.self, from: JSONParser.parse(json)) } == expected, "\(json)")
    }

    @Test("without options a date and data decode as their own conformances say")
    func ownConformances() throws {
        let foundation = JSONDecoder()
        foundation.dataDecodingStrategy = .deferredToData
        #expect(
            try JSONValueDecoder().decode(Date.self, from: 86400)
                == foundation.decode(Date.self, from: Data("86400".utf8)))
        #expect(
            try JSONValueDecoder().decode(Data.self, from: [104, 105])
                == foundation.decode(Data.self, from: Data("[104, 105]".utf8)))
    }

    /// Numbers that do not fit: `JSONDecoder` says only "The given data was not valid JSON." for
    /// the whole document; this decoder names the number and its path.
    static let numberCases: [(Target, String, path: String, message: String)] = [
        (.sample, sample("count", "1.5"), "count", "Parsed JSON number <1.5> does not fit in Int."),
        (
            .sample, sample("ids", "[1, 2.5]"), "ids/Index 1#1",
            "Parsed JSON number <2.5> does not fit in Int64."
        ),
        (.int8, "300", "", "Parsed JSON number <300> does not fit in Int8."),
        (.uint, "-1", "", "Parsed JSON number <-1> does not fit in UInt."),
        (.int, "9223372036854775808", "", "Parsed JSON number <9.223372036854776e+18> does not fit in Int."),
        (.float, "1e300", "", "Parsed JSON number <1e+300> does not fit in Float."),
    ]

    @Test("a number that does not fit is dataCorrupted at its own path", arguments: numberCases)
    func numberDoesNotFit(target: Target, json: String, path: String, message: String) {
        #expect(Self.outcome(target, json, foundation: false) == .dataCorrupted(path: path, message: message))
        #expect(
            Self.outcome(target, json, foundation: true)
                == .dataCorrupted(path: "", message: "The given data was not valid JSON."))
    }

    @Test("the error messages of a few kinds read as JSONDecoder's")
    func messages() throws {
        let decoder = JSONValueDecoder()
        let mismatch = #expect(throws: DecodingError.self) {
            _ = try decoder.decode(Sample.self, from: JSONParser.parse(Self.sample("name", "1")))
        }
        guard case .typeMismatch(_, let context)? = mismatch else { throw Failure.unexpected(mismatch) }
        #expect(context.debugDescription == "Expected to decode String but found number instead.")
        let missing = #expect(throws: DecodingError.self) {
            _ = try decoder.decode(Sample.self, from: JSONParser.parse(Self.sample("name", nil)))
        }
        guard case .keyNotFound(_, let keyContext)? = missing else { throw Failure.unexpected(missing) }
        #expect(keyContext.debugDescription.hasPrefix("No value associated with key"))
    }

    enum Failure: Error {
        case unexpected(DecodingError?)
    }

    struct Holder: Decodable {
        var body: JSONValue
        var list: [JSONValue]
    }

    @Test("a JSONValue inside the decoded type is taken as it is, member order kept")
    func jsonValueMembers() throws {
        let text = #"{"z":1,"a":{"y":[true,null],"b":"x"},"m":2.5}"#
        let holder = try JSONValueDecoder().decode(
            Holder.self, from: JSONParser.parse(#"{"body": \#(text), "list": [\#(text)]}"#))
        #expect(JSONWriter.string(holder.body) == text)
        #expect(holder.list.map(JSONWriter.string) == [text])
        // The whole document too.
        let whole = try JSONValueDecoder().decode(JSONValue.self, from: JSONParser.parse(text))
        #expect(JSONWriter.string(whole) == text)
    }
}
