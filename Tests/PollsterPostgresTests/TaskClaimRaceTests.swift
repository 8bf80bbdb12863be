import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PostgresNIO
import Testing

extension PostgresTests {
    /// `PostgresTaskStore.claim` from separate clients (as from separate machines) at the same
    /// moment. The contract itself runs on every store in PollsterTests (`TaskStoreTests`).
    @Suite("Task claims racing")
    struct TaskClaimRaceTests {
        @Test("two claimers racing never lease the same task; together they take all that is due")
        func noDoubleLease() async throws {
            try await withTestDatabase { database in
                try await withStores(count: 2, on: database) { stores in
                    for round in 0..<8 {
                        var tasks: [TaskRecord] = []
                        for index in 0..<10 {
                            tasks.append(TaskRecord(tool: "mock.run", input: ["n": .integer(Int64(index))]))
                        }
                        for task in tasks { try await stores[0].insert(task) }
                        let now = Date()
                        async let first = stores[0].claim(
                            TaskClaim(worker: "a\(round)", limit: 5, lease: .seconds(60), now: now))
                        async let second = stores[1].claim(
                            TaskClaim(worker: "b\(round)", limit: 5, lease: .seconds(60), now: now))
                        let (a, b) = try await (first, second)
                        let aIDs = Set(a.map(\.id))
                        let bIDs = Set(b.map(\.id))
                        #expect(aIDs.isDisjoint(with: bIDs), "round \(round)")
                        #expect(a.count == 5 && b.count == 5, "round \(round): \(a.count) + \(b.count)")
                        #expect(aIDs.union(bIDs) == Set(tasks.map(\.id)), "round \(round)")
                        for (claimed, worker) in [(a, "a\(round)"), (b, "b\(round)")] {
                            for var task in claimed {
                                let stored = try #require(try await stores[0].task(id: task.id))
                                #expect(stored.leaseOwner == worker)
                                task.state = .succeeded
                                task.finishedAt = now
                                #expect(try await stores[1].save(task, worker: worker))
                            }
                        }
                    }
                }
            }
        }

        @Test("an inventory limit of 1 holds when four claimers race")
        func inventoryLimitUnderRace() async throws {
            try await withTestDatabase { database in
                try await withStores(count: 4, on: database) { stores in
                    let limits = ["hunyuan": 1]
                    for round in 0..<6 {
                        var fal: Set<String> = []
                        for index in 0..<3 {
                            try await stores[0].insert(
                                TaskRecord(tool: "hunyuan.image", input: ["n": .integer(Int64(index))]))
                            let task = TaskRecord(tool: "fal.image", input: ["n": .integer(Int64(index))])
                            fal.insert(task.id)
                            try await stores[0].insert(task)
                        }
                        let now = Date()
                        let claims = try await withThrowingTaskGroup(of: (String, [TaskRecord]).self) {
                            group in
                            for (index, store) in stores.enumerated() {
                                let worker = "w\(index)-\(round)"
                                group.addTask {
                                    let claim = TaskClaim(
                                        worker: worker, limit: 10, lease: .seconds(60),
                                        inventoryLimits: limits,
                                        now: now)
                                    return (worker, try await store.claim(claim))
                                }
                            }
                            var claims: [(String, [TaskRecord])] = []
                            for try await claim in group { claims.append(claim) }
                            return claims
                        }
                        let all = claims.flatMap(\.1)
                        #expect(Set(all.map(\.id)).count == all.count, "round \(round): a task leased twice")
                        #expect(
                            all.filter { $0.inventory == "hunyuan" }.count == 1,
                            "round \(round): \(all.filter { $0.inventory == "hunyuan" }.count) hunyuan leases"
                        )
                        #expect(Set(all.filter { $0.inventory == "fal" }.map(\.id)) == fal, "round \(round)")
                        let live = try await database.values(
                            """
                            SELECT count(*) FROM pollster_tasks
                            WHERE inventory = 'hunyuan' AND lease_expires_at > \(now) AND state = 'queued'
                            """, as: Int.self)
                        #expect(live == [1], "round \(round)")
                        for (worker, claimed) in claims {
                            for var task in claimed {
                                task.state = .succeeded
                                task.finishedAt = now
                                #expect(try await stores[0].save(task, worker: worker))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `count` stores over `database`, each with a client (and so connections) of its own, as
/// workers on different machines would have.
private func withStores<T>(
    count: Int, on database: PollsterDatabase, _ body: ([PostgresTaskStore]) async throws -> T
) async throws -> T {
    let clients = (0..<count).map { _ in
        PostgresClient(configuration: database.url.clientConfiguration, backgroundLogger: quietLogger)
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        for client in clients { group.addTask { await client.run() } }
        defer { group.cancelAll() }
        let stores = clients.map {
            PostgresTaskStore(database: PollsterDatabase(client: $0, url: database.url, logger: quietLogger))
        }
        // A first statement on each, so every client has a connection ready when the race starts.
        for store in stores { _ = try await store.task(id: "warm-up") }
        return try await body(stores)
    }
}
