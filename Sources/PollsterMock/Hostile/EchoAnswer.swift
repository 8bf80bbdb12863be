import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// What ``EchoProviderServer`` says back about a request: every header, the query string and the
/// body, each as it came and in the forms a careless provider re-encodes it in (JSON-escaped,
/// percent-encoded, base64; the Basic credentials decoded and re-encoded).
enum EchoAnswer {
    /// The echo as a JSON object (for the `echo` member of every answer).
    static func object(method: String, target: String, headers: HTTPHeaders, body: [UInt8]) -> JSONValue {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? String(parts[1]) : ""
        let decoded = PercentEncoding.decode(query, plusIsSpace: true) ?? query
        let bodyText = String(decoding: body, as: UTF8.self)
        var echoed: OrderedDictionary<String, JSONValue> = [:]
        for (name, value) in headers {
            echoed[name] = forms(value)
        }
        var object: OrderedDictionary<String, JSONValue> = [
            "request": .string("\(method) \(target)"),
            "headers": .object(echoed),
            "query": forms(query),
            "queryDecoded": forms(decoded),
            "body": forms(bodyText),
        ]
        if let authorization = headers.first(name: "Authorization") {
            object["authorizationBase64"] = .string(Data(authorization.utf8).base64EncodedString())
            if authorization.hasPrefix("Basic "),
                let pair = Data(base64Encoded: String(authorization.dropFirst(6))).map({
                    String(decoding: $0, as: UTF8.self)
                })
            {
                object["basicCredentials"] = forms(pair)
            }
        }
        return .object(object)
    }

    /// The echo as one line of text, for error messages.
    static func text(method: String, target: String, headers: HTTPHeaders, body: [UInt8]) -> String {
        let all = headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
        let flat = "\(method) \(target) [\(all)] body \(String(decoding: body, as: UTF8.self))"
        return flat + " | percent " + PercentEncoding.encode(flat) + " | base64 "
            + Data(flat.utf8).base64EncodedString() + " | json " + escaped(flat)
    }

    /// A value as it came, JSON-escaped (as text), percent-encoded and in base64.
    static func forms(_ value: String) -> JSONValue {
        [
            "raw": .string(value), "json": .string(escaped(value)),
            "percent": .string(PercentEncoding.encode(value)),
            "base64": .string(Data(value.utf8).base64EncodedString()),
        ]
    }

    /// `value` as the inside of a JSON string, with `/` escaped as `\/`.
    static func escaped(_ value: String) -> String {
        String(JSONWriter.string(.string(value)).dropFirst().dropLast()).replacing("/", with: "\\/")
    }

    /// JSON text whose slashes are escaped (`\/`), as PHP and old Java encoders write them. A `/`
    /// only ever occurs inside strings in JSON text, so every one can be replaced.
    static func bytes(_ value: JSONValue) -> [UInt8] {
        Array(JSONWriter.string(value).replacing("/", with: "\\/").utf8)
    }
}
