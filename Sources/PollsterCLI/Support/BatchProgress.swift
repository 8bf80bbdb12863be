import Pollster
import PollsterCore

/// The batch progress bar: done, failed, running, ETA.
struct BatchProgress {
    let total: Int
    let interactive: Bool
    private let started = ContinuousClock.now
    private var running = 0
    private var succeeded = 0
    private var failed = 0

    init(total: Int, interactive: Bool) {
        self.total = total
        self.interactive = interactive
    }

    mutating func started(_: Int = 0) {
        running += 1
        draw()
    }

    mutating func finished(_ outcome: BatchOutcome) {
        running -= 1
        switch outcome.result {
        case .success: succeeded += 1
        case .failure(let error):
            failed += 1
            if !interactive {
                Console.error("item \(outcome.index + 1) failed: \(error.code.rawValue): \(error.message)")
            }
        }
        draw()
    }

    func close() {
        if interactive { Console.error("") }
        Console.error("batch: \(succeeded) succeeded, \(failed) failed of \(total)")
    }

    private func draw() {
        guard interactive else { return }
        let done = succeeded + failed
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = (ContinuousClock.now - started).seconds
        let eta = done == 0 ? "?" : "\(Int(elapsed / Double(done) * Double(total - done)))s"
        Console.status("[\(bar)] \(done)/\(total) done · \(failed) failed · \(running) running · ETA \(eta)")
    }
}
