import Foundation
import Logging
import NIOPosix
import PollsterCore
import PollsterPostgres
import PostgresNIO

/// The one PostgreSQL server of a test run: `POLLSTER_TEST_DATABASE_URL` if set, otherwise a
/// throwaway cluster (`initdb` + `pg_ctl` on a free loopback port in a temporary directory,
/// run as the `postgres` user when we are root), started on first use.
///
/// Test suites that use it wrap their run in `withCluster(_:)`; a cluster this process started
/// is stopped when the last of them returns (and started again if another comes later). Each
/// test takes a database of its own from `createDatabase()`, so tests can run in parallel.
///
/// ```swift
/// try await PostgresTestCluster.shared.withCluster {
///     let url = try await PostgresTestCluster.shared.createDatabase()
///     // … connect to `url`, migrate, test …
///     try await PostgresTestCluster.shared.dropDatabase(url)
/// }
/// ```
public actor PostgresTestCluster {
    /// The cluster of this process.
    public static let shared = PostgresTestCluster()

    /// True when `POLLSTER_REQUIRE_POSTGRES=1` (as `.ci/run` sets it): tests must then fail,
    /// not skip, when PostgreSQL cannot be started.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["POLLSTER_REQUIRE_POSTGRES"] == "1"
    }

    private enum State {
        case idle
        /// Starting or stopping (on NIO's thread pool); these wait for it to end.
        case busy(waiting: [CheckedContinuation<Void, Never>])
        case running(url: DatabaseURL, directory: String?)
        case failed(String)
    }

    private var state = State.idle
    private var holders = 0
    private var reportedSkip = false

    private init() {}

    /// The server's URL (database `postgres`), starting the cluster on first use.
    ///
    /// `initdb` and `pg_ctl` run on a thread of their own: never on the concurrency pool, nor on
    /// NIO's shared blocking pool (which the engine under test uses for DNS and files).
    /// - Throws: `TRANSPORT_ERROR` saying why PostgreSQL could not be started (a failed start is
    ///   not tried again).
    public func url() async throws(PollsterError) -> DatabaseURL {
        while true {
            switch state {
            case .running(let url, _): return url
            case .failed(let reason): throw PollsterError(.transportError, reason)
            case .busy: await waitWhileBusy()
            case .idle:
                state = .busy(waiting: [])
                do {
                    let (url, directory) = try await Self.onOwnThread { try Self.start() }
                    settle(.running(url: url, directory: directory))
                } catch {
                    let cause = (error as? PollsterError)?.message ?? "\(error)"
                    settle(.failed("PostgreSQL could not be started for the tests: \(cause)"))
                }
            }
        }
    }

    /// Whether PostgreSQL tests can run; prints why not (once) to standard error when they cannot.
    public func isAvailable() async -> Bool {
        do {
            _ = try await url()
            return true
        } catch {
            if !reportedSkip {
                FileHandle.standardError.write(Data("PostgreSQL tests skipped: \(error.message)\n".utf8))
                reportedSkip = true
            }
            return false
        }
    }

    /// Runs `body` with the cluster held: a cluster this process started is stopped when the
    /// last holder returns (an external server is left alone). Does not start the cluster.
    public func withCluster<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        await hold()
        do {
            let value = try await body()
            await letGo()
            return value
        } catch {
            await letGo()
            throw error
        }
    }

    private func hold() { holders += 1 }

    private func letGo() async {
        holders -= 1
        guard holders == 0, case .running(_, let directory) = state else { return }
        state = .busy(waiting: [])
        if let directory {
            try? await Self.onOwnThread { Self.destroy(directory) }
        }
        settle(.idle)
    }

    /// Runs blocking `body` on a thread pool of one thread, made for it and shut down after.
    private static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
    {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            let value = try await pool.runIfActive(body)
            try await pool.shutdownGracefully()
            return value
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    private func waitWhileBusy() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            guard case .busy(var waiting) = state else { return continuation.resume() }
            waiting.append(continuation)
            state = .busy(waiting: waiting)
        }
    }

    /// Ends a start or stop: `next` becomes the state and whoever waited looks again.
    private func settle(_ next: State) {
        let waiting: [CheckedContinuation<Void, Never>]
        if case .busy(let list) = state { waiting = list } else { waiting = [] }
        state = next
        for continuation in waiting { continuation.resume() }
    }

    /// Creates an empty database (`t_<32 hex digits>`) and returns its URL.
    /// - Throws: why PostgreSQL could not be started, or the server's error.
    public nonisolated func createDatabase() async throws -> DatabaseURL {
        let server = try await url()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await Self.adminStatement("CREATE DATABASE \"\(name)\"", on: server)
        return server.with(database: name)
    }

    /// Drops a database made by `createDatabase()`, closing its connections first.
    /// - Throws: `INVALID_INPUT` for a database this cluster did not create; the server's error.
    public nonisolated func dropDatabase(_ database: DatabaseURL) async throws {
        guard Self.isTestDatabase(database.database) else {
            throw PollsterError(.invalidInput, "'\(database.database)' is not a test database; not dropped")
        }
        let server = try await url()
        try await Self.adminStatement(
            "DROP DATABASE IF EXISTS \"\(database.database)\" WITH (FORCE)", on: server)
    }

    /// True for the names `createDatabase()` makes: only those are spliced into SQL.
    static func isTestDatabase(_ name: String) -> Bool {
        let hex = name.dropFirst(2)
        return name.hasPrefix("t_") && hex.count == 32 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Runs one constant statement (CREATE/DROP DATABASE take no bind parameters) on its own
    /// connection.
    private static func adminStatement(_ sql: String, on server: DatabaseURL) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try server.connectionConfiguration(), id: 1, logger: logger)
        do {
            // Built only from generated names (isTestDatabase), never from input.
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static let logger: Logger = {
        var logger = Logger(label: "pollster.test-cluster")
        logger.logLevel = .critical
        return logger
    }()
}
