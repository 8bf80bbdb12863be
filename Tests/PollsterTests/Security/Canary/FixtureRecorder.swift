import Foundation
import OrderedCollections
import Pollster
import PollsterCore
import Synchronization

/// A real HTTP transport that keeps each API exchange as a fixture entry (for `pollster
/// explain`): what a user records against a provider with real credentials.
final class FixtureRecorder: Transport {
    private let inner = HTTPClientTransport()
    private let recorded = Mutex<[JSONValue]>([])

    /// The exchanges so far, in order.
    var exchanges: [JSONValue] { recorded.withLock { $0 } }

    func shutdown() async throws { try await inner.shutdown() }

    func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        try await inner.stream(request, handle)
    }

    func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        let response = try await inner.send(request, maxBodyBytes: maxBodyBytes)
        var requestHeaders = OrderedDictionary<String, JSONValue>()
        for (name, value) in request.headers { requestHeaders[name] = .string(value) }
        var responseHeaders = OrderedDictionary<String, JSONValue>()
        for (name, value) in response.headers { responseHeaders[name] = .string(value) }
        let exchange: JSONValue = [
            "request": [
                "method": .string(request.method), "url": .string(request.url),
                "headers": .object(requestHeaders),
            ],
            "response": [
                "status": .integer(Int64(response.status)), "headers": .object(responseHeaders),
                "bodyText": .string(String(decoding: response.body, as: UTF8.self)),
            ],
        ]
        recorded.withLock { $0.append(exchange) }
        return response
    }
}
