import Foundation
import NIOHTTP1
import PollsterCore

/// A complete request as the routes see it.
struct MockRequest: Sendable {
    let method: HTTPMethod
    /// Path plus query, as received.
    let target: String
    /// Non-empty path segments, percent-decoded.
    let segments: [String]
    /// Query items, percent-decoded (last one wins).
    let query: [String: String]
    let headers: HTTPHeaders
    let body: [UInt8]

    /// The `Idempotency-Key` header: a repeat with the same key gets the same job.
    var idempotencyKey: String? { headers.first(name: "Idempotency-Key") }

    init(head: HTTPRequestHead, body: [UInt8]) {
        self.method = head.method
        self.target = head.uri
        self.headers = head.headers
        self.body = body
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        self.segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        var query: [String: String] = [:]
        if parts.count > 1 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = Self.decodeQueryComponent(pair[0])
                query[name] = pair.count > 1 ? Self.decodeQueryComponent(pair[1]) : ""
            }
        }
        self.query = query
    }

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first(name: name)
    }

    /// Whether header `name` starts with `prefix` (case-insensitive) followed by a non-empty value.
    func header(_ name: String, hasValuePrefixedBy prefix: String) -> Bool {
        guard let value = header(name), value.count > prefix.count else { return false }
        return value.lowercased().hasPrefix(prefix.lowercased())
            && !value.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// Whether the body is empty or valid JSON.
    var hasAcceptableBody: Bool {
        body.isEmpty || jsonBody != nil
    }

    /// The body parsed as JSON, or nil (an empty body too).
    var jsonBody: JSONValue? { try? JSONParser.parse(body) }

    /// The request as ``MockProviderStats`` records it.
    var recorded: MockRecordedRequest {
        var names: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            names[key] = names[key].map { "\($0), \(value)" } ?? value
        }
        return MockRecordedRequest(method: method.rawValue, path: target, headers: names, body: body)
    }

    private static func decodeQueryComponent(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
