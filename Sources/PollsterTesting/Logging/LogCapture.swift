import Logging
import Synchronization

/// A log handler that keeps every event, to assert on what was logged (and what was not).
///
/// ```swift
/// let capture = LogCapture()
/// let worker = TaskWorker(store: store, pollster: pollster, configuration: .init(), logger: capture.logger)
/// // …
/// #expect(capture.messages(at: .warning).count == 1)
/// ```
public final class LogCapture: Sendable {
    private struct Line {
        var level: Logger.Level
        var message: String
        var text: String
    }

    private let lines = Mutex<[Line]>([])

    /// An empty capture.
    public init() {}

    /// A logger at trace level writing into this capture.
    public var logger: Logger {
        var logger = Logger(label: "pollster.capture") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// The messages logged at `level`.
    public func messages(at level: Logger.Level) -> [String] {
        lines.withLock { $0.filter { $0.level == level }.map(\.message) }
    }

    /// Everything logged so far, one line per event: level, message, handler and call
    /// metadata, and the error if any.
    public var text: String { lines.withLock { $0.map(\.text).joined(separator: "\n") } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")"
            capture.lines.withLock {
                $0.append(Line(level: event.level, message: "\(event.message)", text: text))
            }
        }
    }
}
