import ArgumentParser
import Pollster

/// When `serve` and `mcp --http` close client connections that do nothing.
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

    func validate() throws {
        try TimeoutSeconds.check(idleTimeout, option: "--idle-timeout")
        try TimeoutSeconds.check(writeTimeout, option: "--write-timeout")
    }

    /// The timeouts chosen.
    var timeouts: ConnectionTimeouts {
        ConnectionTimeouts(idle: .seconds(idleTimeout), stalledWrite: .seconds(writeTimeout))
    }
}
