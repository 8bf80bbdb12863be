import Crypto
import Foundation
import NIOCore
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Synchronization
import Testing

/// The real transport's two paths against the mock over loopback: `send` (the whole answer at
/// once) and `stream` (read-ahead with backpressure).
@Suite("HTTP client transport", .timeLimit(.minutes(1)))
struct HTTPClientTransportTests {
    static let size = 8 << 20

    /// Runs a job whose output is `size` bytes and hands its URL to `body` with a fresh transport.
    func withLargeOutput(
        _ configuration: HTTPClientTransport.Configuration = HTTPClientTransport.Configuration(),
        _ body: (String, HTTPClientTransport) async throws -> Void
    ) async throws {
        let script = MockJobScript(polls: 1, output: MockOutput(kind: .mp4, size: Self.size))
        try await withMockEngine(
            script: script, registry: try DownloadTests.heygen(output: "{ download: false }")
        ) {
            pollster, mock in
            let result = try await pollster.invoke(
                DownloadTests.tool, input: DownloadTests.input, options: fastOptions(mock))
            let url = try #require(result.files.first?.url)
            let transport = HTTPClientTransport(configuration: configuration)
            do {
                try await body(url, transport)
                try await transport.shutdown()
            } catch {
                try? await transport.shutdown()
                throw error
            }
        }
    }

    @Test("a reader slower than the socket gets every byte, in order")
    func slowReader() async throws {
        try await withLargeOutput { url, transport in
            let whole = try await transport.send(
                TransportRequest(method: "GET", url: url), maxBodyBytes: 16 << 20)
            #expect(whole.body.count == Self.size)
            let streamed = try await transport.stream(TransportRequest(method: "GET", url: url)) {
                head, body in
                #expect(head.status == 200)
                var bytes: [UInt8] = []
                var parts = 0
                for try await part in body {
                    parts += 1
                    // Slower than loopback: the read-ahead fills up and the connection pauses.
                    if parts % 4 == 0 { try await Task.sleep(for: .milliseconds(2)) }
                    bytes += part.readableBytesView
                }
                return bytes
            }
            #expect(streamed == whole.body)
        }
    }

    @Test("many slow readers together hold no more than the read-ahead budget; a stalled one stops no other")
    func readAheadBudget() async throws {
        var configuration = HTTPClientTransport.Configuration()
        configuration.readAheadBudgetBytes = 512 << 10
        try await withLargeOutput(configuration) { url, transport in
            let expected = Data(
                SHA256.hash(
                    data: try await transport.send(
                        TransportRequest(method: "GET", url: url), maxBodyBytes: 16 << 20
                    )
                    .body))
            let (othersDone, signal) = AsyncStream.makeStream(of: Void.self)
            let readers = 6
            enum Outcome: Sendable {
                case read(Data)
                case peak(Int)
            }
            let peak = try await withThrowingTaskGroup(of: Outcome.self) { group in
                // One reader takes a part, then waits until every other reader has finished.
                group.addTask {
                    try await transport.stream(TransportRequest(method: "GET", url: url)) { _, body in
                        var parts = body.makeAsyncIterator()
                        var hash = SHA256()
                        if let first = try await parts.next() {
                            hash.update(data: Data(first.readableBytesView))
                        }
                        for await _ in othersDone {}
                        while let part = try await parts.next() {
                            hash.update(data: Data(part.readableBytesView))
                        }
                        return .read(Data(hash.finalize()))
                    }
                }
                for _ in 0..<readers {
                    group.addTask {
                        try await transport.stream(TransportRequest(method: "GET", url: url)) { _, body in
                            var hash = SHA256()
                            var parts = 0
                            for try await part in body {
                                parts += 1
                                if parts % 4 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                                hash.update(data: Data(part.readableBytesView))
                            }
                            return .read(Data(hash.finalize()))
                        }
                    }
                }
                // Samples what is read ahead until the readers are done.
                group.addTask {
                    var peak = 0
                    while !Task.isCancelled {
                        peak = max(peak, transport.readAheadBytes)
                        try? await Task.sleep(for: .milliseconds(1))
                    }
                    return .peak(peak)
                }
                var finished = 0
                var peak = 0
                while let outcome = try await group.next() {
                    switch outcome {
                    case .read(let hash):
                        #expect(hash == expected, "every reader got the whole file")
                        finished += 1
                        if finished == readers { signal.finish() }
                        if finished == readers + 1 { group.cancelAll() }
                    case .peak(let value):
                        peak = value
                    }
                }
                #expect(finished == readers + 1)
                return peak
            }
            // The budget, plus what each body may always hold (two 64 KiB parts) and
            // the parts in flight when readers are woken.
            let bound = (512 << 10) + (readers + 1) * 3 * (64 << 10)
            #expect(peak > 0 && peak <= bound, "read ahead at most \(bound) bytes, saw \(peak)")
            #expect(transport.readAheadBytes == 0, "nothing is counted after the bodies ended")
        }
    }

    @Test("at most maxConcurrentStreams bodies stream at once; the next is sent when one ends")
    func streamLimit() async throws {
        var configuration = HTTPClientTransport.Configuration()
        configuration.maxConcurrentStreams = 2
        try await withLargeOutput(configuration) { url, transport in
            let gate = Gate()
            let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await transport.stream(TransportRequest(method: "GET", url: url)) { _, body in
                            await gate.wait()
                            var size = 0
                            for try await part in body { size += part.readableBytes }
                            return size
                        }
                    }
                }
                try #require(try await eventually(within: .seconds(10)) { gate.arrived == 2 })
                // Two bodies are open and held: the third request waits for a turn, unsent.
                try await Task.sleep(for: .milliseconds(300))
                #expect(gate.arrived == 2)
                gate.open()
                try #require(try await eventually(within: .seconds(10)) { gate.arrived == 3 })
                gate.open()
                gate.open()
                var sizes: [Int] = []
                for try await size in group { sizes.append(size) }
                return sizes
            }
            #expect(sizes == [Self.size, Self.size, Self.size])
        }
    }

    @Test("a reader that stops early cancels the request and the transport goes on")
    func abandonedBody() async throws {
        try await withLargeOutput { url, transport in
            let first = try await transport.stream(TransportRequest(method: "GET", url: url)) { _, body in
                var parts = body.makeAsyncIterator()
                return try await parts.next()?.readableBytes
            }
            #expect((first ?? 0) > 0)
            let ignored = try await transport.stream(TransportRequest(method: "GET", url: url)) { head, _ in
                head.status
            }
            #expect(ignored == 200)
            let again = try await transport.send(
                TransportRequest(method: "GET", url: url), maxBodyBytes: 16 << 20)
            #expect(again.body.count == Self.size)
        }
    }

    @Test("a body that trickles past the request's timeout fails both paths with a timeout, at the timeout")
    func trickledBodyTimesOut() async throws {
        let script = MockJobScript(
            polls: 1, output: MockOutput(kind: .mp4, size: 1024), fileFault: .trickle(bytesPerSecond: 10))
        try await withMockEngine(
            script: script, registry: try DownloadTests.heygen(output: "{ download: false }")
        ) { pollster, mock in
            let result = try await pollster.invoke(
                DownloadTests.tool, input: DownloadTests.input, options: fastOptions(mock))
            let url = try #require(result.files.first?.url)
            let transport = HTTPClientTransport()
            let request = TransportRequest(method: "GET", url: url, timeout: .seconds(1))
            let started = ContinuousClock.now
            var kinds: [TransportFailure.Kind?] = []
            do {
                try await transport.stream(request) { _, body in for try await _ in body {} }
                kinds.append(nil)
            } catch {
                kinds.append((error as? TransportFailure)?.kind)
            }
            do {
                _ = try await transport.send(request, maxBodyBytes: 1 << 20)
                kinds.append(nil)
            } catch {
                kinds.append((error as? TransportFailure)?.kind)
            }
            try await transport.shutdown()
            #expect(kinds == [.timeout, .timeout])
            #expect(ContinuousClock.now - started < .seconds(10), "each ended at its 1 s timeout")
        }
    }

    @Test("after shutdown both paths fail at once as not sent (a stream used to wait for ever)")
    func afterShutdown() async throws {
        let transport = HTTPClientTransport()
        try await transport.shutdown()
        let request = TransportRequest(method: "GET", url: "http://127.0.0.1:9/never")
        var kinds: [TransportFailure.Kind?] = []
        do {
            try await transport.stream(request) { _, _ in }
            kinds.append(nil)
        } catch {
            kinds.append((error as? TransportFailure)?.kind)
        }
        do {
            _ = try await transport.send(request, maxBodyBytes: 1024)
            kinds.append(nil)
        } catch {
            kinds.append((error as? TransportFailure)?.kind)
        }
        #expect(kinds == [.notConnected, .notConnected])
    }

    @Test("send refuses a body over its limit with RESPONSE_TOO_LARGE")
    func sendLimit() async throws {
        try await withLargeOutput { url, transport in
            let error = await pollsterError {
                _ = try await transport.send(TransportRequest(method: "GET", url: url), maxBodyBytes: 1000)
            }
            #expect(error?.code == .responseTooLarge)
            #expect(error?.message.contains("1000-byte limit") == true)
        }
    }
}

/// Holds callers until opened, one per `open()`, and counts the callers that arrived.
private final class Gate: Sendable {
    private struct State {
        var arrived = 0
        var opened = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Callers of `wait` so far.
    var arrived: Int { state.withLock { $0.arrived } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let pass = state.withLock { state -> Bool in
                state.arrived += 1
                guard state.opened == 0 else {
                    state.opened -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if pass { continuation.resume() }
        }
    }

    /// Lets the longest waiter (or the next caller) through.
    func open() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.opened += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    @Test("a URL the HTTP client cannot read fails both paths with an error, before anything is sent")
    func unreadableURL() async throws {
        let transport = HTTPClientTransport()
        // A space: refused by the client's URL parser. The streaming path used to crash here,
        // dropping its body's source unfinished.
        let request = TransportRequest(method: "GET", url: "http://example .invalid/output.mp4")
        let sent = await #expect(throws: (any Error).self) {
            try await transport.send(request, maxBodyBytes: 1 << 20)
        }
        let streamed = await #expect(throws: (any Error).self) {
            try await transport.stream(request) { _, _ in () }
        }
        #expect(
            (streamed as? TransportFailure)?.kind == (sent as? TransportFailure)?.kind,
            "\(String(describing: streamed))")
        try await transport.shutdown()
    }
}
