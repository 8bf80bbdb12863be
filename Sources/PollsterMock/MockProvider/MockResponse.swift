import NIOHTTP1
import PollsterCore

/// An answer the handler writes: bytes, a streamed generated file, or a dropped connection.
struct MockResponse: Sendable {
    enum Body: Sendable {
        case bytes([UInt8])
        case file(MockFileContent, MockFileSlice = MockFileSlice())
        /// Close the connection without answering.
        case closeConnection
        /// Never answer; keep the connection open.
        case noAnswer
        /// Send the head (with the whole `Content-Length`) at once, then `bytesPerSecond` bytes of
        /// the body each second.
        case trickle([UInt8], bytesPerSecond: Int)
    }

    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: Body

    /// A JSON answer, written with sorted keys (`JSONWriter.canonical`): the mock's answers read
    /// the same whatever order a route builds its members in. Slashes are not escaped, so URLs
    /// read naturally.
    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> MockResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return MockResponse(
            status: status, headers: headers, body: .bytes(Array(JSONWriter.canonical(value).utf8)))
    }

    /// A plain answer with the given content type.
    static func text(_ text: String, contentType: String, status: HTTPResponseStatus) -> MockResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        return MockResponse(status: status, headers: headers, body: .bytes(Array(text.utf8)))
    }

    /// An answer without a body, e.g. 204.
    static func empty(status: HTTPResponseStatus) -> MockResponse {
        MockResponse(status: status, headers: HTTPHeaders(), body: .bytes([]))
    }

    /// The server has no such route.
    static func noRoute(_ request: MockRequest) -> MockResponse {
        json(
            [
                "error": [
                    "code": "not_found",
                    "message": "No route for \(request.method.rawValue) \(request.target)",
                ]
            ],
            status: .notFound)
    }

    /// The route exists but not for this method.
    static func methodNotAllowed(_ request: MockRequest) -> MockResponse {
        json(
            [
                "error": [
                    "code": "method_not_allowed", "message": "\(request.method.rawValue) is not allowed here",
                ]
            ],
            status: .methodNotAllowed)
    }

    /// The body is not valid JSON.
    static let invalidJSONBody = json(
        ["error": ["code": "invalid_json", "message": "The request body is not valid JSON."]],
        status: .badRequest)
}

/// Which bytes of a generated file an answer carries.
struct MockFileSlice: Sendable {
    /// The first byte sent (a `Range` request's start).
    var start = 0
    /// The end (exclusive) the `Content-Length` announces; nil: the file's size.
    var end: Int?
    /// Close the connection once the byte at this offset would be sent (a body cut short).
    var closeAt: Int?
}
