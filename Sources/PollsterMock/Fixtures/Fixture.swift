import Foundation
import NIOHTTP1
import OrderedCollections
import PollsterCore

/// A recorded exchange with a provider: the requests Pollster sent and what came back.
///
/// File format (JSON):
/// ```json
/// {"tool": "heygen.create_avatar_video_v2", "input": {…}, "description": "…", "reference": "…",
///  "exchanges": [{"request": {"method": "POST", "url": "https://…", "headers": {…}, "body": {…}},
///                 "response": {"status": 200, "headers": {…}, "body": {…}}}]}
/// ```
/// A response body is `body` (JSON), `bodyText` (raw text, e.g. an HTML error page),
/// `bodyBase64` (bytes) or `bodyFile` (a file next to the fixture). A bare array of
/// exchanges is accepted too.
public struct Fixture: Sendable {
    /// One request and its response.
    public struct Exchange: Sendable {
        /// The expected method.
        public var method: String
        /// The expected URL.
        public var url: String
        /// The recorded request body, if any.
        public var requestBody: JSONValue?
        /// The response status.
        public var status: Int
        /// The response headers.
        public var headers: HTTPHeaders
        /// The response body bytes.
        public var body: [UInt8]
        /// The recorded request headers (redacted), if any.
        public var requestHeaders: [String: String] = [:]
        /// True when the body was not recorded (`bodyOmitted`: a download's size and hash only).
        public var bodyOmitted = false

        /// An exchange from its parts.
        public init(
            method: String, url: String, requestBody: JSONValue? = nil, status: Int,
            headers: HTTPHeaders = [:],
            body: [UInt8] = []
        ) {
            self.method = method
            self.url = url
            self.requestBody = requestBody
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// The tool that was invoked, if recorded.
    public var tool: String?
    /// The input it was invoked with, if recorded.
    public var input: JSONValue?
    /// What the fixture shows.
    public var description: String?
    /// The client reference the call was made with (`InvokeOptions.idempotencyKey`), when the
    /// requests carry it (`submit.reconcile`); a replay passes it so they are sent alike.
    public var reference: String?
    /// The exchanges in order.
    public var exchanges: [Exchange]
    /// The base URL the recording ran against (`pollster record --base-url`), if recorded.
    public var baseUrl: String?
    /// How the recorded invocation ended (`pollster record` writes it), if recorded.
    public var outcome: FixtureOutcome?
    /// The names of the secrets the recording used (`${NAME}` in the exchanges).
    public var secrets: [String] = []

    /// A fixture from its parts (tests that write an exchange instead of recording one).
    public init(
        tool: String? = nil, input: JSONValue? = nil, description: String? = nil, reference: String? = nil,
        exchanges: [Exchange]
    ) {
        self.tool = tool
        self.reference = reference
        self.input = input
        self.description = description
        self.exchanges = exchanges
    }

    /// Loads a fixture file.
    /// - Throws: `INVALID_INPUT` naming the file and what is wrong.
    public static func load(path: String) throws -> Fixture {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PollsterError(.invalidInput, "cannot read fixture \(path)")
        }
        let root: JSONValue
        do { root = try JSONParser.parse(Array(data)) } catch {
            throw PollsterError(.invalidInput, "fixture \(path) is not JSON: \(error)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let list = root.arrayValue ?? root["exchanges"]?.arrayValue
        guard let list else {
            throw PollsterError(.invalidInput, "fixture \(path): expected an 'exchanges' list")
        }
        var exchanges: [Exchange] = []
        for (index, item) in list.enumerated() {
            exchanges.append(try exchange(item, index: index, path: path, directory: directory))
        }
        var fixture = Fixture(
            tool: root["tool"]?.stringValue, input: root["input"],
            description: root["description"]?.stringValue, reference: root["reference"]?.stringValue,
            exchanges: exchanges)
        fixture.baseUrl = root["baseUrl"]?.stringValue
        fixture.outcome = FixtureOutcome(json: root["outcome"])
        fixture.secrets = (root["secrets"]?.arrayValue ?? []).compactMap(\.stringValue)
        return fixture
    }

    private static func exchange(_ item: JSONValue, index: Int, path: String, directory: String) throws
        -> Exchange
    {
        func fail(_ message: String) -> PollsterError {
            PollsterError(.invalidInput, "fixture \(path): exchanges[\(index)]: \(message)")
        }
        guard let request = item["request"], let response = item["response"] else {
            throw fail("needs 'request' and 'response'")
        }
        guard let method = request["method"]?.stringValue, let url = request["url"]?.stringValue else {
            throw fail("request needs 'method' and 'url'")
        }
        guard case .integer(let status)? = response["status"] else {
            throw fail("response needs an integer 'status'")
        }
        var headers = HTTPHeaders()
        for (name, value) in response["headers"]?.objectValue ?? [:] {
            headers.add(name: name, value: value.scalarText ?? value.description)
        }
        let body: [UInt8]
        if let json = response["body"] {
            body = JSONWriter.bytes(json)
        } else if let text = response["bodyText"]?.stringValue {
            body = Array(text.utf8)
        } else if let base64 = response["bodyBase64"]?.stringValue {
            guard let data = Data(base64Encoded: base64) else { throw fail("bodyBase64 is not base64") }
            body = Array(data)
        } else if let file = response["bodyFile"]?.stringValue {
            guard
                let data = FileManager.default.contents(
                    atPath: (directory as NSString).appendingPathComponent(file))
            else { throw fail("bodyFile \(file) not found next to the fixture") }
            body = Array(data)
        } else {
            body = []
        }
        var exchange = Exchange(
            method: method.uppercased(), url: url, requestBody: request["body"], status: Int(status),
            headers: headers,
            body: body)
        for (name, value) in request["headers"]?.objectValue ?? [:] {
            exchange.requestHeaders[name] = value.scalarText
        }
        exchange.bodyOmitted = response["bodyOmitted"] != nil
        return exchange
    }
}
