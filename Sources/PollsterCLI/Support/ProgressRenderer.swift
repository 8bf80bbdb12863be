import Pollster
import PollsterCore

/// Shows invocation progress: one live line on a terminal, plain lines otherwise.
struct ProgressRenderer {
    let interactive: Bool
    let started = ContinuousClock.now
    private var taskId: String?
    private var polls = 0
    private var phase = "submitting"
    private var progress: Double?
    private var bytes = 0

    init(interactive: Bool) { self.interactive = interactive }

    mutating func handle(_ event: ToolEvent) {
        switch event {
        case .submitted(let id):
            taskId = id
            phase = "submitted"
            plain("submitted, task id \(id ?? "(none)")")
        case .polled(let number, let readPhase, let status, let reported, let error):
            polls = number
            if let error {
                plain("poll \(number) failed, will retry: \(error)")
            } else {
                phase = status ?? readPhase.rawValue
                progress = reported ?? progress
                plain("poll \(number): \(phase)\(reported.map { " \(Int($0))%" } ?? "")")
            }
        case .downloading(_, let received, _):
            phase = "downloading"
            bytes = received
        case .downloaded(let file):
            plain("downloaded \(file.filename) (\(file.size ?? 0) bytes, \(file.mimeType))")
        case .warning(let warning):
            plain("warning \(warning.code.rawValue): \(warning.message)")
        case .finished(let finalPhase, _):
            phase = finalPhase.rawValue
        }
        if interactive { Console.status(line) }
    }

    /// Redraws the live line (elapsed time moves on between events).
    func tick() {
        if interactive { Console.status(line) }
    }

    /// Ends the live line.
    func finish() {
        if interactive { Console.error("") }
    }

    private var line: String {
        let elapsed = Int((ContinuousClock.now - started).seconds)
        var parts = ["\(phase)", "polls \(polls)", "\(elapsed)s"]
        if let progress { parts.append("\(Int(progress))%") }
        if bytes > 0 { parts.append(ByteFormatting.string(bytes)) }
        if let taskId { parts.append("task \(taskId)") }
        return parts.joined(separator: " · ")
    }

    private func plain(_ text: String) {
        if !interactive { Console.error(text) }
    }
}

/// Human-readable byte counts.
enum ByteFormatting {
    static func string(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\(bytes / 1024) KiB" }
        return "\((Double(bytes) / 1_048_576 * 10).rounded() / 10) MiB"
    }
}
