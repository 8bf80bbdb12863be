import PollsterCore
import Synchronization
import Testing

@testable import Pollster

/// How a driver learns that it must stop running the engine (`RecordBox`): the callback wait of
/// `TaskDriver.run()` and the async wait of its lease-keeping steps.
@Suite("Durable tasks: interrupting a driver")
struct RecordBoxTests {
    private static let wanted: Set<RecordBox.Interruption> = [.leaseLost, .cancelRequested, .stopping]

    private static func box() -> RecordBox { RecordBox(TaskRecord(tool: "acme.render", input: ["n": 1])) }

    /// Counts the calls of a wake.
    private final class Wakes: Sendable {
        private let count = Mutex(0)
        var calls: Int { count.withLock { $0 } }
        func wake() { count.withLock { $0 += 1 } }
    }

    @Test("an interruption that already holds is returned, and nothing waits for it")
    func holdsAlready() {
        let box = Self.box()
        box.requestCancel()
        let wakes = Wakes()
        #expect(box.whenInterrupted(among: Self.wanted, wakes.wake) == .cancelRequested)
        box.loseLease()
        #expect(wakes.calls == 0)
        #expect(box.stopWaiting() == nil, "no wait was registered")
    }

    @Test("one that comes later wakes the wait once and is kept until it stops waiting")
    func comesLater() {
        let box = Self.box()
        let wakes = Wakes()
        #expect(box.whenInterrupted(among: Self.wanted, wakes.wake) == nil)
        #expect(!box.isInterrupted)
        box.loseLease()
        box.requestCancel()
        #expect(wakes.calls == 1)
        #expect(box.isInterrupted)
        #expect(box.stopWaiting() == .leaseLost)
        #expect(!box.isInterrupted)
        #expect(box.stopWaiting() == nil)
    }

    @Test("shutdown interrupts only once the submit's answer is stored")
    func stoppingNeedsAcceptance() {
        let box = Self.box()
        let wakes = Wakes()
        #expect(box.whenInterrupted(among: Self.wanted, wakes.wake) == nil)
        box.stop()
        #expect(wakes.calls == 0)
        box.markAccepted()
        #expect(wakes.calls == 1)
        #expect(box.stopWaiting() == .stopping)
    }

    @Test("after it stops waiting, nothing wakes it")
    func stoppedWaiting() {
        let box = Self.box()
        let wakes = Wakes()
        #expect(box.whenInterrupted(among: Self.wanted, wakes.wake) == nil)
        #expect(box.stopWaiting() == nil)
        box.loseLease()
        #expect(wakes.calls == 0)
        #expect(!box.isInterrupted)
    }

    @Test("the async wait gets its interruption, leaves nothing for stopWaiting, and ends on cancel")
    func asyncWait() async {
        let box = Self.box()
        async let found = box.interruption(among: [.leaseLost])
        // Not woken by what it does not wait for.
        box.requestCancel()
        try? await Task.sleep(for: .milliseconds(50))
        box.loseLease()
        #expect(await found == .leaseLost)
        #expect(box.stopWaiting() == nil)

        let other = Self.box()
        let waiting = Task { await other.interruption(among: [.leaseLost]) }
        waiting.cancel()
        #expect(await waiting.value == nil)
    }
}
