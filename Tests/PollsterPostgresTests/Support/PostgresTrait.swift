import Foundation
import PollsterTesting
import Testing

/// Put on the root suite of the PostgreSQL tests: holds the shared `PostgresTestCluster` while
/// the suite runs (a cluster this process started stops when its last holder — this suite or
/// another target's — is done), whether its tests passed or not.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await PostgresTestCluster.shared.withCluster { try await function() }
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// The shared test cluster, held for the suite.
    static var postgresCluster: Self { Self() }
}

extension Trait where Self == ConditionTrait {
    /// Runs the tests only when PostgreSQL is available — or always when it is required,
    /// so that a missing server fails them.
    static var postgresAvailable: Self {
        .enabled("PostgreSQL can be started (or POLLSTER_REQUIRE_POSTGRES=1)") {
            if PostgresTestCluster.isRequired { return true }
            return await PostgresTestCluster.shared.isAvailable()
        }
    }
}

/// The root of every test that needs PostgreSQL; the suites are declared in extensions.
@Suite("PostgreSQL", .postgresAvailable, .postgresCluster)
struct PostgresTests {}
