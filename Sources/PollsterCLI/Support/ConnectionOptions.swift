import ArgumentParser
import Pollster

/// What `serve` and `mcp --http` allow client connections: how long they may do nothing, and
/// how many may be open.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp(
            "Seconds a client connection may stay open with no request in progress (a request head sent slowly included).",
            valueName: "seconds"))
    var idleTimeout: Double = 75

    @Option(
        name: .customLong("write-timeout"),
        help: ArgumentHelp(
            "Seconds a response may wait for a client that reads nothing before its connection is closed.",
            valueName: "seconds"))
    var writeTimeout: Double = 60

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp(
            "Client connections open at once; more are closed as they arrive (default: a third of the process's open-file limit).",
            valueName: "count"))
    var maxConnections: Int?

    func validate() throws {
        try SecondsOption.check(idleTimeout, option: "--idle-timeout")
        try SecondsOption.check(writeTimeout, option: "--write-timeout")
        if let maxConnections, maxConnections < 1 {
            throw ValidationError("--max-connections must be at least 1, got \(maxConnections)")
        }
    }

    /// The limits chosen.
    var limits: ConnectionLimits {
        ConnectionLimits(
            idle: .seconds(idleTimeout), stalledWrite: .seconds(writeTimeout), maxConnections: maxConnections)
    }
}
