import ArgumentParser
import Foundation
import Pollster
import PollsterCore

/// `pollster invoke <inventory.method> --input JSON|@file`.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke", abstract: "Invoke a tool method and download its output.")

    @Argument(help: "The tool, as inventory.method.")
    var tool: String

    @Option(help: "The input: inline JSON, or @path to a JSON file.")
    var input: String = "{}"

    @Option(
        help: "Where outputs go: a directory, or a file name for a single output. Default: current directory."
    )
    var output: String?

    @Flag(
        help:
            "Print the result as JSON on standard output; a failure prints {\"error\": {code, message, taskId, provider, …}} there too."
    )
    var json = false

    @Option(name: .customLong("poll-interval"), help: "Seconds between polls (default: the method's).")
    var pollInterval: Double?

    @Option(name: .customLong("max-wait"), help: "Seconds before polling gives up (default: the method's).")
    var maxWait: Double?

    @OptionGroup var engine: EngineOptions

    func validate() throws {
        if let pollInterval, !(pollInterval > 0) {
            throw ValidationError("--poll-interval must be greater than 0")
        }
        if let maxWait, !(maxWait > 0) { throw ValidationError("--max-wait must be greater than 0") }
    }

    func run() async throws {
        let inputValue = try InputReader.read(input)
        let destination = OutputDestination(output)
        let options = InvokeOptions(
            outputDirectory: destination.directory, baseUrlOverride: engine.baseUrl,
            pollInterval: pollInterval.map { .milliseconds(Int64($0 * 1000)) },
            maxWait: maxWait.map { .milliseconds(Int64($0 * 1000)) })
        let result = try await engine.withEngine { pollster in
            try await InvocationRunner.run(
                pollster, tool: tool, input: inputValue, options: options, jsonErrors: json)
        }
        let files = try destination.finalize(result.files)
        ResultPrinter.print(result, files: files, json: json)
    }
}

/// Reads `--input`: inline JSON or `@file`.
enum InputReader {
    static func read(_ argument: String) throws -> JSONValue {
        var text = argument
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw PollsterError(.invalidInput, "cannot read input file \(path)").exit()
            }
            text = contents
        }
        do {
            return try JSONParser.parse(text)
        } catch {
            throw PollsterError(.invalidInput, "--input is not valid JSON: \(error)").exit()
        }
    }
}

/// Runs an invocation while rendering its events.
enum InvocationRunner {
    /// - Parameter jsonErrors: also print a failure as a JSON object on standard output.
    static func run(
        _ pollster: Pollster, tool: String, input: JSONValue, options: InvokeOptions, jsonErrors: Bool = false
    ) async throws -> ToolResult {
        var options = options
        let (events, continuation) = AsyncStream.makeStream(of: ToolEvent.self)
        options.events = continuation
        async let outcome = invoke(pollster, tool: tool, input: input, options: options)
        await render(events, interactive: Console.isInteractive)
        switch await outcome {
        case .success(let result): return result
        case .failure(let error):
            if jsonErrors { Console.out(error.json.description) }
            throw error.exit()
        }
    }

    /// Renders events until the stream ends; on a terminal the line also ticks every second.
    private static func render(_ events: AsyncStream<ToolEvent>, interactive: Bool) async {
        enum Update {
            case event(ToolEvent)
            case tick
        }
        let (updates, sink) = AsyncStream.makeStream(of: Update.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events { sink.yield(.event(event)) }
                sink.finish()
            }
            if interactive {
                group.addTask {
                    while (try? await Task.sleep(for: .seconds(1))) != nil { sink.yield(.tick) }
                }
            }
            var renderer = ProgressRenderer(interactive: interactive)
            for await update in updates {
                switch update {
                case .event(let event): renderer.handle(event)
                case .tick: renderer.tick()
                }
            }
            renderer.finish()
            group.cancelAll()
        }
    }

    private static func invoke(_ pollster: Pollster, tool: String, input: JSONValue, options: InvokeOptions)
        async
        -> Result<ToolResult, PollsterError>
    {
        do { return .success(try await pollster.invoke(tool, input: input, options: options)) } catch {
            return .failure(error)
        }
    }
}
