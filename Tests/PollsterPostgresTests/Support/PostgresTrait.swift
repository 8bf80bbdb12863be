import Foundation
import Testing

/// Put on the root suite of the PostgreSQL tests: skips them when no server can be started
/// (fails instead when `POLLSTER_REQUIRE_POSTGRES=1`), and stops the throwaway cluster when
/// the suite ends, whether its tests passed or not.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        do {
            try await function()
        } catch {
            await PostgresCluster.shared.stop()
            throw error
        }
        await PostgresCluster.shared.stop()
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// The shared test cluster, stopped after the suite.
    static var postgresCluster: Self { Self() }
}

extension Trait where Self == ConditionTrait {
    /// Runs the tests only when PostgreSQL is available — or always when it is required,
    /// so that a missing server fails them.
    static var postgresAvailable: Self {
        .enabled("PostgreSQL can be started (or POLLSTER_REQUIRE_POSTGRES=1)") {
            if PostgresCluster.required { return true }
            return await PostgresCluster.shared.isAvailable()
        }
    }
}

/// The root of every test that needs PostgreSQL; the suites are declared in extensions.
@Suite("PostgreSQL", .postgresAvailable, .postgresCluster)
struct PostgresTests {}
