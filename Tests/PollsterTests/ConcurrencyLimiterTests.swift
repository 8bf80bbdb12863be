import Synchronization
import Testing

@testable import Pollster

/// The semaphore behind `limits.maxConcurrent` and the per-inventory step line: arrival order,
/// cancellation of a waiter, slots given back.
@Suite("Concurrency limiter", .timeLimit(.minutes(1)))
struct ConcurrencyLimiterTests {
    /// The waiters' numbers in the order they were admitted.
    final class Admissions: Sendable {
        let list = Mutex<[Int]>([])
    }

    /// Starts waiters `numbers` on a full limiter one after another; each notes its number in
    /// `order` when admitted. Returns once all are in line.
    func queue(
        _ numbers: Range<Int>, on limiter: ConcurrencyLimiter, into order: Admissions,
        group: inout TaskGroup<Void>
    ) async {
        for number in numbers {
            let before = limiter.waiting
            group.addTask {
                try? await limiter.acquire()
                order.list.withLock { $0.append(number) }
                limiter.release()
            }
            // The next waiter arrives after this one is in line.
            while limiter.waiting == before { await Task.yield() }
        }
    }

    @Test("hundreds of waiters are served in arrival order")
    func arrivalOrder() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()
        let order = Admissions()
        await withTaskGroup(of: Void.self) { group in
            await queue(0..<300, on: limiter, into: order, group: &group)
            limiter.release()
        }
        #expect(order.list.withLock { $0 } == Array(0..<300))
        // Every slot came back: the limiter admits one holder without waiting.
        try await limiter.acquire()
        #expect(limiter.waiting == 0)
        limiter.release()
    }

    @Test("a cancelled waiter leaves the line and the others keep their order")
    func cancelledWaiter() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        try await limiter.acquire()
        let order = Admissions()
        await withTaskGroup(of: Void.self) { group in
            await queue(0..<3, on: limiter, into: order, group: &group)
            let cancelled = Task {
                do {
                    try await limiter.acquire()
                    limiter.release()
                    return false
                } catch {
                    return error is CancellationError
                }
            }
            while limiter.waiting < 4 { await Task.yield() }
            cancelled.cancel()
            #expect(await cancelled.value)
            #expect(limiter.waiting == 3)
            await queue(3..<5, on: limiter, into: order, group: &group)
            limiter.release()
        }
        #expect(order.list.withLock { $0 } == [0, 1, 2, 3, 4])
    }

    @Test("a slot freed while a waiter gets in line reaches that waiter")
    func releaseWhileQueueing() async throws {
        // Each round: the one slot is held; a waiter asks for it while the holder frees it.
        // A waiter that got in line just after the release found no one waiting used to wait
        // forever beside a free slot (seen as a benchmark that hung with every thread idle).
        var stuck = 0
        for _ in 0..<10_000 {
            let limiter = ConcurrencyLimiter(limit: 1)
            try await limiter.acquire()
            let admitted = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try? await limiter.acquire()
                    limiter.release()
                    return true
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(5))
                    return false
                }
                limiter.release()
                let first = await group.next() ?? false
                // Unsticks a waiter that missed the release, so the round can end.
                if !first { limiter.release() }
                group.cancelAll()
                return first
            }
            if !admitted { stuck += 1 }
        }
        #expect(stuck == 0, "\(stuck) waiters missed a free slot")
    }
}
