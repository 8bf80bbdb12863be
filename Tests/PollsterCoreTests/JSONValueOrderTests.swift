import Foundation
import PollsterCore
import Testing

/// Objects keep their members in document order; equality and hashing ignore that order.
@Suite("JSON member order")
struct JSONValueOrderTests {
    static let documents: [String] = [
        #"{"z":1,"a":2,"m":3}"#,
        #"{"data":{"video_url":"u","status":"completed","id":"v1"},"code":100,"message":"Success"}"#,
        #"[{"b":[{"y":1,"x":2}],"a":null}]"#,
    ]

    @Test("parse then write gives the document's member order back", arguments: documents)
    func keepsOrder(text: String) throws {
        #expect(JSONWriter.string(try JSONParser.parse(text)) == text)
    }

    @Test("a repeated key keeps its first place and takes the last value")
    func duplicateKeys() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(JSONWriter.string(value) == #"{"a":3,"b":2}"#)
        let literal: JSONValue = ["a": 1, "b": 2, "a": 3]
        #expect(JSONWriter.string(literal) == #"{"a":3,"b":2}"#)
    }

    static let equalPairs: [(String, String)] = [
        (#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#),
        (#"{"x":{"p":[1,{"q":1,"r":2}],"s":null}}"#, #"{"x":{"s":null,"p":[1,{"r":2,"q":1}]}}"#),
        ("{}", "{}"),
    ]

    @Test("objects with the same members in another order are equal and hash alike", arguments: equalPairs)
    func orderInsensitiveEquality(left: String, right: String) throws {
        let a = try JSONParser.parse(left)
        let b = try JSONParser.parse(right)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(JSONWriter.canonical(a) == JSONWriter.canonical(b))
    }

    static let differentPairs: [(String, String)] = [
        (#"{"a":1,"b":2}"#, #"{"a":1,"b":3}"#),
        (#"{"a":1,"b":2}"#, #"{"a":1}"#),
        (#"{"a":1}"#, #"{"b":1}"#),
        (#"{"a":1}"#, #"{"a":1.0}"#),
        ("[1,2]", "[2,1]"),
        (#"{"a":null}"#, "{}"),
    ]

    @Test("different members, array order and integer vs double still differ", arguments: differentPairs)
    func stillDifferent(left: String, right: String) throws {
        #expect(try JSONParser.parse(left) != JSONParser.parse(right))
    }

    @Test("Codable through JSONEncoder and JSONDecoder gives an equal value", arguments: documents)
    func codableRoundTrip(text: String) throws {
        let value = try JSONParser.parse(text)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }
}
