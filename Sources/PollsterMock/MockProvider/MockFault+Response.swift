import NIOHTTP1
import PollsterCore

extension MockFault {
    /// The answer that serves this fault.
    var response: MockResponse {
        switch self {
        case .rateLimited(let seconds):
            var response = MockResponse.json(
                [
                    "error": [
                        "code": "rate_limited",
                        "message": "Too many requests; retry after \(seconds) seconds.",
                    ]
                ],
                status: .tooManyRequests)
            response.headers.add(name: "Retry-After", value: String(seconds))
            return response
        case .serverError(let status):
            let status = HTTPResponseStatus(statusCode: status)
            return .json(
                ["error": ["code": "server_error", "message": "\(status.code) \(status.reasonPhrase)"]],
                status: status)
        case .htmlErrorPage(let status):
            let status = HTTPResponseStatus(statusCode: status)
            let title = "\(status.code) \(status.reasonPhrase)"
            let page = """
                <html>
                <head><title>\(title)</title></head>
                <body>
                <center><h1>\(title)</h1></center>
                <hr><center>nginx</center>
                </body>
                </html>

                """
            return .text(page, contentType: "text/html", status: status)
        case .truncatedJSON:
            return .text(
                #"{"status": "processing", "data": {"id": "mock", "progress": 0."#,
                contentType: "application/json", status: .ok)
        case .connectionReset:
            return MockResponse(status: .ok, headers: [:], body: .closeConnection)
        case .unavailable(let seconds):
            var response = MockResponse.json(
                [
                    "error": [
                        "code": "unavailable", "message": "Service unavailable; retry after \(seconds) s.",
                    ]
                ],
                status: .serviceUnavailable)
            response.headers.add(name: "Retry-After", value: String(seconds))
            return response
        case .failedStatus(let status):
            return .json(
                ["status": "Failed", "error": ["code": "model_error", "message": "The model crashed"]],
                status: HTTPResponseStatus(statusCode: status))
        case .rateLimitEnvelope:
            return .json([
                "Response": [
                    "Error": [
                        "Code": "RequestLimitExceeded",
                        "Message": "Your current request times equals to the limit.",
                    ],
                    "RequestId": "mock-rate-limit",
                ]
            ])
        case .noAnswer:
            return MockResponse(status: .ok, headers: [:], body: .noAnswer)
        case .trickle(let bytesPerSecond):
            // Long enough to outlast any deadline a test sets (a minute at 10 bytes a second).
            let body = #"{"status": "processing", "padding": ""# + String(repeating: " ", count: 600) + #""}"#
            return MockResponse(
                status: .ok, headers: ["Content-Type": "application/json"],
                body: .trickle(Array(body.utf8), bytesPerSecond: max(1, bytesPerSecond)))
        case .cutBody, .shortContentLength:
            // Meaningful for files only (see `MockProviderRoutes.file`); elsewhere a dropped connection.
            return MockResponse(status: .ok, headers: [:], body: .closeConnection)
        case .notFound:
            return .json(
                ["error": ["code": "not_found", "message": "The task was not found; it may have expired."]],
                status: .notFound)
        }
    }
}
