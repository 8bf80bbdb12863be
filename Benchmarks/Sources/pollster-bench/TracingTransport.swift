import Pollster
import Synchronization

/// A `Transport` that timestamps each request of the job in `JobTrace.current` and passes it on.
///
/// Requests are told apart by URL: status polls contain `/v1/video_status.get`, downloads
/// `/files/`, anything else is the submit (the benchmark's tool is HeyGen-shaped).
struct TracingTransport: Transport {
    let base: any Transport
    let totals: TraceTotals

    enum Kind { case submit, poll, download }

    /// Requests whose whole answer is collected (submit, polls): the base transport's own `send`,
    /// so the benchmark measures the path the engine takes. The round trip ends with the body.
    func send(_ request: TransportRequest, maxBodyBytes: Int) async throws -> TransportResponse {
        guard let trace = JobTrace.current ?? batchTrace(request) else {
            return try await base.send(request, maxBodyBytes: maxBodyBytes)
        }
        let (kind, start) = begin(request, trace: trace)
        do {
            let response = try await base.send(request, maxBodyBytes: maxBodyBytes)
            if kind == .submit {
                totals.keepSubmitBody(response.body)
                if let traces = totals.batch, let id = JobTraces.submitID(response.body) { traces.add(trace, id: id) }
            }
            let end = ContinuousClock.now
            finish(kind, trace: trace, start: start, head: end, end: end, failed: false)
            return response
        } catch {
            finish(kind, trace: trace, start: start, head: nil, end: .now, failed: true)
            throw error
        }
    }

    func stream<Result>(
        _ request: TransportRequest, _ handle: (TransportResponseHead, TransportBody) async throws -> Result
    ) async throws -> Result {
        guard let trace = JobTrace.current else { return try await base.stream(request, handle) }
        let (kind, start) = begin(request, trace: trace)
        let headAt = Mutex<ContinuousClock.Instant?>(nil)
        do {
            let result = try await base.stream(request) { head, body in
                headAt.withLock { $0 = .now }
                return try await handle(head, body)
            }
            let end = ContinuousClock.now
            finish(kind, trace: trace, start: start, head: headAt.withLock { $0 }, end: end, failed: false)
            return result
        } catch {
            finish(kind, trace: trace, start: start, head: headAt.withLock { $0 }, end: .now, failed: true)
            throw error
        }
    }

    /// In a batch run: a new trace for a submit, the job's trace for a poll (downloads untraced).
    private func batchTrace(_ request: TransportRequest) -> JobTrace? {
        guard let traces = totals.batch else { return nil }
        if let id = JobTraces.pollID(request.url) { return traces.trace(id: id) }
        return Array(request.url.utf8).endOfFirst("/files/") != nil ? nil : JobTrace()
    }

    /// Classifies the request and notes its start (and a poll's lateness).
    private func begin(_ request: TransportRequest, trace: JobTrace) -> (Kind, ContinuousClock.Instant) {
        let url = Array(request.url.utf8)
        let kind: Kind =
            url.endOfFirst("/v1/video_status.get") != nil
            ? .poll : url.endOfFirst("/files/") != nil ? .download : .submit
        let start = ContinuousClock.now
        switch kind {
        case .poll:
            let previous = trace.state.withLock { state -> ContinuousClock.Instant? in
                state.polls += 1
                return state.previousEnd
            }
            totals.pollStarted(lateness: previous.map { start - ($0 + totals.interval) })
        case .download:
            trace.state.withLock { $0.downloadStart = start }
        case .submit:
            break
        }
        return (kind, start)
    }

    private func finish(
        _ kind: Kind, trace: JobTrace, start: ContinuousClock.Instant, head: ContinuousClock.Instant?,
        end: ContinuousClock.Instant, failed: Bool
    ) {
        switch kind {
        case .submit:
            trace.state.withLock {
                $0.submitEnd = end
                $0.previousEnd = end
            }
            totals.request(roundTrip: nil, failed: failed)
            if !failed { totals.inFlight.add(1, ordering: .relaxed) }
        case .poll:
            trace.state.withLock {
                $0.previousEnd = end
                $0.lastPollEnd = end
            }
            totals.request(roundTrip: head.map { $0 - start }, failed: failed)
        case .download:
            trace.state.withLock { $0.downloadEnd = end }
            totals.request(roundTrip: nil, failed: failed)
        }
    }
}
