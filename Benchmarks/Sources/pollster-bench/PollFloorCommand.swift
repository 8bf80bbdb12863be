import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A floor for scenario 2: the jobs of `inflight --batch` (the submit, a status poll every
/// interval until the job is done, the output's GET), sent by AsyncHTTPClient alone, configured
/// as `HTTPClientTransport` configures it, from its event loops: no Pollster, no Swift task,
/// no JSON parser. What a run costs per poll is what the chosen HTTP client and the kernel cost,
/// on the same machine and against the same mock, for the same requests.
struct PollFloorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll-floor",
        abstract: "The jobs of `inflight` through AsyncHTTPClient alone: the HTTP floor of a poll.")

    @Option(help: "The mock's base URL.") var baseUrl: String
    @Option(help: "Concurrent jobs.") var count: Int
    @Option(help: "Poll interval in seconds.") var interval: Double = 10
    @Option(help: "Start the jobs spread evenly over this many seconds (default: one poll interval).")
    var spread: Double?
    @Option(help: "Connections per host (HTTPClientTransport's default).") var connections = 64
    @Option(help: "Write the figures here (default: standard output).") var json: String?

    func run() async throws {
        PollsterBench.bootstrapLogging()
        _ = ProcessStats.raiseDescriptorLimit()
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        configuration.tracing.tracer = nil
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let totals = FloorTotals(count: count, done: client.eventLoopGroup.next().makePromise())
        let spreadSeconds = spread ?? interval
        let cpuBefore = ProcessStats.cpuSeconds()
        let started = ContinuousClock.now
        for index in 0..<count {
            let job = FloorJob(
                client: client, eventLoop: client.eventLoopGroup.next(), baseUrl: baseUrl,
                interval: .nanoseconds(Int64(interval * 1e9)), totals: totals)
            job.eventLoop.scheduleTask(
                in: .nanoseconds(Int64(spreadSeconds * 1e9 * Double(index) / Double(count)))
            ) { job.submit() }
        }
        try await totals.done.futureResult.get()
        let wall = ContinuousClock.now - started
        let cpuAfter = ProcessStats.cpuSeconds()
        try await client.shutdown()

        let cpu = (cpuAfter.user - cpuBefore.user) + (cpuAfter.system - cpuBefore.system)
        let polls = totals.polls.load(ordering: .relaxed)
        var report = Report()
        report["count"] = count
        report["mode"] = "AsyncHTTPClient alone (floor)"
        report["intervalSeconds"] = interval
        report["spreadSeconds"] = spreadSeconds
        report["connectionsPerHost"] = connections
        report["wallSeconds"] = wall.secondsValue
        report["cpuUserSeconds"] = cpuAfter.user - cpuBefore.user
        report["cpuSystemSeconds"] = cpuAfter.system - cpuBefore.system
        report["polls"] = polls
        report["requests"] = totals.requests.load(ordering: .relaxed)
        report["failedRequests"] = totals.failures.load(ordering: .relaxed)
        report["succeeded"] = totals.succeeded.load(ordering: .relaxed)
        report["cpuSecondsPer1000Polls"] = polls > 0 ? cpu / Double(polls) * 1000 : nil
        report["peakRSSBytes"] = ProcessStats.peakResidentBytes
        try report.write(to: json)
    }
}

/// What every job of a floor run adds to.
private final class FloorTotals: Sendable {
    let polls = Atomic(0)
    let requests = Atomic(0)
    let failures = Atomic(0)
    let succeeded = Atomic(0)
    private let ended = Atomic(0)
    private let count: Int
    /// Succeeds when every job has ended.
    let done: EventLoopPromise<Void>

    init(count: Int, done: EventLoopPromise<Void>) {
        self.count = count
        self.done = done
        if count == 0 { done.succeed() }
    }

    func end(succeeded: Bool) {
        if succeeded { self.succeeded.add(1, ordering: .relaxed) }
        if ended.add(1, ordering: .relaxed).newValue == count { done.succeed() }
    }
}

/// One job of the floor: callbacks on its event loop, from the submit to the output's GET.
private final class FloorJob: Sendable {
    let client: HTTPClient
    let eventLoop: any EventLoop
    let baseUrl: String
    let interval: TimeAmount
    let totals: FloorTotals

    init(
        client: HTTPClient, eventLoop: any EventLoop, baseUrl: String, interval: TimeAmount,
        totals: FloorTotals
    ) {
        self.client = client
        self.eventLoop = eventLoop
        self.baseUrl = baseUrl
        self.interval = interval
        self.totals = totals
    }

    /// The headers of every request (the benchmark adapter's key).
    private static let headers = HTTPHeaders([
        ("X-Api-Key", "benchmark"), ("Content-Type", "application/json"),
    ])

    func submit() {
        send("\(baseUrl)/v2/video/generate", method: .POST, body: #"{"benchmark":"floor"}"#) { body in
            guard let id = Self.string(after: #""video_id":""#, in: body) else { return self.fail() }
            self.eventLoop.scheduleTask(in: self.interval) { self.poll(id) }
        }
    }

    private func poll(_ id: String) {
        totals.polls.add(1, ordering: .relaxed)
        send("\(baseUrl)/v1/video_status.get?video_id=\(id)", method: .GET) { body in
            guard Self.string(after: #""status":""#, in: body) == "completed" else {
                self.eventLoop.scheduleTask(in: self.interval) { self.poll(id) }
                return
            }
            guard let url = Self.string(after: #""video_url":""#, in: body) else { return self.fail() }
            self.send(url, method: .GET) { _ in self.totals.end(succeeded: true) }
        }
    }

    private func fail() {
        totals.failures.add(1, ordering: .relaxed)
        totals.end(succeeded: false)
    }

    /// Sends a request and hands its body to `then` (on the connection's event loop); a failure ends the job.
    private func send(
        _ url: String, method: HTTPMethod, body: String? = nil, then: @escaping @Sendable (ByteBuffer) -> Void
    ) {
        totals.requests.add(1, ordering: .relaxed)
        guard
            let request = try? HTTPClient.Request(
                url: url, method: method, headers: Self.headers, body: body.map { .string($0) })
        else { return fail() }
        // As `HTTPClientTransport.send` asks: no event loop preference, the pool picks the connection.
        client.execute(request: request, deadline: .now() + .seconds(60))
            .whenComplete { result in
                guard case .success(let response) = result, response.status == .ok else { return self.fail() }
                then(response.body ?? ByteBuffer())
            }
    }

    /// The JSON string value that follows `marker` in `body` (no escapes: the mock's ids and URLs).
    private static func string(after marker: String, in body: ByteBuffer) -> String? {
        let bytes = body.readableBytesView
        let key = Array(marker.utf8)
        guard let start = bytes.firstRange(of: key)?.upperBound,
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\""))
        else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
