import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PollsterTesting
import PostgresNIO
import Synchronization
import Testing

/// Fresh `PostgresTaskStore`s for the contract and end-to-end tests, each in a database of its
/// own on the shared `PostgresTestCluster`.
///
/// A store needs its client's `run()` going for as long as the test uses it, so the suites that
/// take stores carry the `.postgresStores` trait: it holds the cluster for the suite and, for each
/// test case, runs the clients of the stores the case made (in a task group of the case's scope)
/// and drops their databases when the case ends.
final class PostgresStores: Sendable {
    @TaskLocal static var current: PostgresStores?

    private let clients: AsyncStream<PostgresClient>.Continuation
    private let databases = Mutex<[DatabaseURL]>([])

    private init(clients: AsyncStream<PostgresClient>.Continuation) {
        self.clients = clients
    }

    /// A migrated store in a new database. Cancels the test case when PostgreSQL cannot be
    /// started, unless `POLLSTER_REQUIRE_POSTGRES=1`, which makes it fail instead.
    static func make() async throws -> any TaskStore {
        guard let scope = current else {
            throw PollsterError(
                .invalidConfig, "a PostgreSQL store needs the .postgresStores trait on the test's suite")
        }
        if !PostgresTestCluster.isRequired, await !PostgresTestCluster.shared.isAvailable() {
            try Test.cancel("PostgreSQL is not available (set POLLSTER_REQUIRE_POSTGRES=1 to fail instead)")
        }
        let url = try await PostgresTestCluster.shared.createDatabase()
        scope.databases.withLock { $0.append(url) }
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: quietLogger)
        scope.clients.yield(client)
        try await PostgresSession.checkReachable(url, logger: quietLogger)
        let database = PollsterDatabase(client: client, url: url, logger: quietLogger)
        try await database.migrate()
        return PostgresTaskStore(database: database)
    }

    /// Runs `body` with a scope whose clients run until it returns; then drops their databases.
    static func withScope(_ body: () async throws -> Void) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: PostgresClient.self)
        let scope = PostgresStores(clients: continuation)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await withDiscardingTaskGroup { runs in
                        for await client in stream { runs.addTask { await client.run() } }
                    }
                }
                defer { group.cancelAll() }
                try await $current.withValue(scope) { try await body() }
            }
        } catch {
            await scope.dropDatabases()
            throw error
        }
        await scope.dropDatabases()
    }

    private func dropDatabases() async {
        for url in databases.withLock({ $0 }) { try? await PostgresTestCluster.shared.dropDatabase(url) }
    }
}

/// Provides `PostgresStores` to the tests of a suite (see there).
struct PostgresStoresTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    /// Starts the cluster while the run is planned, as the PostgreSQL suite's condition does, so
    /// `initdb` does not compete with the timing of tests already running.
    func prepare(for test: Test) async throws {
        if test.isSuite { _ = await PostgresTestCluster.shared.isAvailable() }
    }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite || testCase != nil ? self : nil
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if test.isSuite {
            try await PostgresTestCluster.shared.withCluster { try await function() }
        } else {
            try await PostgresStores.withScope { try await function() }
        }
    }
}

extension Trait where Self == PostgresStoresTrait {
    /// Lets the suite's tests take PostgreSQL stores from `TaskStoreTests.store(.postgres)`.
    static var postgresStores: Self { Self() }
}
