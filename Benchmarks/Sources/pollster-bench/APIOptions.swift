import ArgumentParser

/// What scenarios 6a and 6b need to reach a running `pollster serve`.
struct APIOptions: ParsableArguments {
    @Option(help: "The server's base URL, e.g. http://127.0.0.1:8080.") var url: String
    @Option(help: "An API key (pollster keys create).") var key: String
    @Option(help: "The tool to submit tasks to.") var tool = "bench.video"
    @Option(help: "The server's process id, for its CPU time and peak RSS.") var serverPid: Int32
    @Option(help: "Write the figures here (default: standard output).") var json: String?
}
