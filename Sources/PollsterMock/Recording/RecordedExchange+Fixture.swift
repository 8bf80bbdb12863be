import Foundation
import OrderedCollections
import Pollster
import PollsterCore

extension RecordedExchange {
    /// Headers the transport or the HTTP client sets on its own; a recording leaves them out.
    static let transportHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]

    /// This exchange as a fixture entry, with every secret replaced by `redactor`.
    ///
    /// A JSON body is kept as `body`, other UTF-8 text as `bodyText`; a download (or an answer
    /// that is not text) as `bodyOmitted: {size, sha256, mimeType}`, which a replay serves as
    /// an empty body.
    public func fixtureJSON(_ redactor: FixtureRedactor) -> JSONValue {
        var request: OrderedDictionary<String, JSONValue> = [
            "method": .string(self.request.method), "url": .string(redactor.url(self.request.url)),
        ]
        let requestHeaders = Self.headers(self.request.headers.map { ($0.name, $0.value) }, redactor)
        if !requestHeaders.isEmpty { request["headers"] = .object(requestHeaders) }
        if let body = self.request.body, !body.isEmpty {
            if let json = try? JSONParser.parse(body) {
                request["body"] = redactor.json(json)
            } else {
                request["bodyText"] = .string(redactor.text(String(decoding: body, as: UTF8.self)))
            }
        }
        var response: OrderedDictionary<String, JSONValue> = [
            "status": .integer(Int64(status)),
            "headers": .object(Self.headers(headers.map { ($0.name, $0.value) }, redactor)),
        ]
        switch body {
        case .bytes(let bytes) where bytes.isEmpty:
            break
        case .bytes(let bytes):
            if let json = try? JSONParser.parse(bytes) {
                response["body"] = redactor.json(json)
            } else if let text = String(validating: bytes, as: UTF8.self) {
                response["bodyText"] = .string(redactor.text(text))
            } else {
                response["bodyOmitted"] = Self.summary(
                    size: bytes.count, sha256: SHA256Hex.of(bytes), mimeType: "application/octet-stream")
            }
        case .omitted(let size, let sha256, let mimeType):
            response["bodyOmitted"] = Self.summary(size: size, sha256: sha256, mimeType: mimeType)
        }
        return ["request": .object(request), "response": .object(response)]
    }

    private static func summary(size: Int, sha256: String, mimeType: String) -> JSONValue {
        ["size": .integer(Int64(size)), "sha256": .string(sha256), "mimeType": .string(mimeType)]
    }

    private static func headers(_ headers: [(String, String)], _ redactor: FixtureRedactor)
        -> OrderedDictionary<String, JSONValue>
    {
        var output: OrderedDictionary<String, JSONValue> = [:]
        for (name, value) in headers where !transportHeaders.contains(name.lowercased()) {
            let recorded = redactor.header(name: name, value: value)
            if case .string(let earlier)? = output[name] {
                output[name] = .string(earlier + ", " + recorded)
            } else {
                output[name] = .string(recorded)
            }
        }
        return output
    }
}
