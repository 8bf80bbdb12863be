import Pollster
import Synchronization

/// A `Transport` that notes when the first streamed request (a download) started and the last
/// one ended, so a run's download throughput leaves out its submits and polls.
final class DownloadWindow: Transport {
    let base: any Transport
    private let window = Mutex<(first: ContinuousClock.Instant?, last: ContinuousClock.Instant?)>((nil, nil))

    init(base: any Transport) { self.base = base }

    /// From the first download's request to the last one's end.
    var duration: Duration? {
        window.withLock { window in
            guard let first = window.first, let last = window.last else { return nil }
            return last - first
        }
    }

    func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        try await base.send(request, maxBodyBytes: maxBodyBytes)
    }

    func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        let start = ContinuousClock.now
        window.withLock { $0.first = min($0.first ?? start, start) }
        defer {
            let end = ContinuousClock.now
            window.withLock { $0.last = max($0.last ?? end, end) }
        }
        return try await base.stream(request, handle)
    }
}
