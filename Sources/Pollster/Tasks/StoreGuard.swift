import Foundation
import Logging
import PollsterCore
import Synchronization

/// A worker's calls to its task store: each under a time limit (`TaskWorker.Configuration.storeTimeout`),
/// failing as `STORE_ERROR`, with one warning when the store becomes unreachable and one when it
/// is back — not one line per failed call.
///
/// A database that stops answering leaves calls waiting in its connection pool with no end; the
/// limit turns that into an error the worker can act on (retry later, shut down in time).
final class StoreGuard: Sendable {
    private struct Health {
        /// The first failure of the current run of failures.
        var failingSince: Date?
        var failures = 0
        /// Whether the outage was reported (a single slow call is not an outage).
        var reported = false
    }

    /// Failed calls in a row before the store counts as unreachable and a warning is logged.
    static let failuresBeforeOutage = 2

    let store: any TaskStore
    let timeout: Duration
    private let logger: Logger
    private let health = Mutex(Health())

    init(store: any TaskStore, timeout: Duration, logger: Logger) {
        self.store = store
        self.timeout = timeout
        self.logger = logger
    }

    /// Whether the last call succeeded (true before the first).
    var isReachable: Bool { health.withLock { $0.failures == 0 } }

    /// Since when the store has been failing, if it is.
    var failingSince: Date? { health.withLock { $0.failingSince } }

    /// Runs `body` under the time limit.
    /// - Parameters:
    ///   - what: the operation, for messages ("claiming tasks").
    ///   - running: tasks this worker is driving, for the outage warning.
    /// - Throws: `STORE_ERROR` on a timeout or any store failure; `CancellationError` when cancelled.
    func call<T: Sendable>(
        _ what: String, running: Int, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            let value = try await Self.withTimeout(timeout, body)
            succeeded(what)
            return value
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let failure = Self.storeError(what, error, timeout: timeout)
            failed(failure, running: running)
            throw failure
        }
    }

    private func succeeded(_ what: String) {
        let outage: (since: Date, failures: Int)? = health.withLock { health in
            defer { health = Health() }
            guard health.reported, let since = health.failingSince else { return nil }
            return (since, health.failures)
        }
        if let outage {
            logger.warning(
                "task store reachable again after \(Int(Date().timeIntervalSince(outage.since))) s (\(outage.failures) failed calls; \(what) succeeded)"
            )
        }
    }

    private func failed(_ error: PollsterError, running: Int) {
        let report: Date? = health.withLock { health in
            health.failures += 1
            let since = health.failingSince ?? Date()
            health.failingSince = since
            guard !health.reported, health.failures >= Self.failuresBeforeOutage else { return nil }
            health.reported = true
            return since
        }
        if let since = report {
            logger.warning(
                "task store unreachable since \(ISO8601DateFormatter().string(from: since)), retrying; \(running) tasks running (leases expire if it stays down; nothing is lost): \(error.message)",
                metadata: ["code": "\(error.code.rawValue)"])
        } else {
            logger.debug("task store call failed: \(error.message)")
        }
    }

    static func storeError(_ what: String, _ error: any Error, timeout: Duration) -> PollsterError {
        if let error = error as? PollsterError, error.code == .storeError { return error }
        if error is StoreTimeout {
            return PollsterError(
                .storeError,
                "task store: \(what) did not finish within \(timeout) (storeTimeout); is the database up?")
        }
        let text = (error as? PollsterError)?.message ?? "\(error)"
        return PollsterError(.storeError, "task store: \(what) failed: \(text)")
    }

    private struct StoreTimeout: Error {}

    /// `body`, or `StoreTimeout` once `limit` has passed.
    ///
    /// `body` runs in a task of its own, not a child: a call stuck on a database connection that
    /// stopped answering does not react to cancellation, and a child task would hold its caller
    /// (and a graceful shutdown) until the connection comes back. The abandoned call ends when the
    /// connection answers or is closed — the database client closes its connections when it shuts
    /// down, so such a task never outlives the client that owns its connection.
    static func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        let outcome = Outcome<T>()
        let operation = Task { outcome.settle(await Result(catching: body)) }
        do {
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await outcome.value() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    throw StoreTimeout()
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch {
            operation.cancel()
            throw error
        }
    }
}

/// The result of an operation, awaited by one caller that can stop waiting (cancellation).
private final class Outcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
        var abandoned = false
    }

    private let state = Mutex(State())

    func settle(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<T, any Error>? in
                    if state.abandoned { return .failure(CancellationError()) }
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
                state.abandoned = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
