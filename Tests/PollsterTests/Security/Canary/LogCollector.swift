import Logging
import Synchronization

/// A `Logger` at trace level that keeps every line with its metadata, for the leak tests.
final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger whose lines (message, handler and call metadata, source) all land here.
    var logger: Logger {
        var logger = Logger(label: "pollster.canary") { _ in Handler(collector: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Everything logged so far, one line per event.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    private struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let line = "\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")"
            collector.lines.withLock { $0.append(line) }
        }
    }
}
