import ArgumentParser
import Foundation
import OrderedCollections
import Pollster
import PollsterCore

/// `pollster batch FILE.jsonl`: many calls, bounded concurrency, one JSON line per result.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Invoke tools for every line of a JSONL file ({\"tool\", \"input\", \"id\"?}).",
        discussion:
            "Results go to standard output as JSON lines, progress to standard error. Exit 8 if any item failed."
    )

    @Argument(help: "The JSONL file (- for standard input).")
    var file: String

    @Option(help: "Calls in progress at once; provider limits apply on top.")
    var concurrency = 4

    @Option(help: "The tool for lines that name none.")
    var tool: String?

    @Option(help: "Directory for the outputs. Default: the current directory.")
    var output: String?

    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let (items, invalid) = try BatchFileReader.read(file, defaultTool: tool)
        for (line, message) in invalid { Console.out(BatchLine.invalid(line: line, message: message)) }
        var progress = BatchProgress(total: items.count, interactive: Console.isInteractive)
        let options = InvokeOptions(
            outputDirectory: output ?? FileManager.default.currentDirectoryPath,
            baseUrlOverride: engine.baseUrl)
        // Each outcome is printed as it comes and not kept (files went to disk).
        let failed = try await engine.withEngine { pollster in
            var failed = false
            await pollster.invokeEach(
                items.lazy.map(\.item), concurrency: concurrency, options: options,
                onStart: { _ in progress.started() },
                onOutcome: { outcome in
                    Console.out(BatchLine.outcome(outcome, line: items[outcome.index].line))
                    progress.finished(outcome)
                    if case .failure = outcome.result { failed = true }
                })
            return failed
        }
        progress.close()
        if !invalid.isEmpty || failed { throw ExitCode(8) }
    }
}

/// Reads a JSONL batch file; bad lines are reported, not fatal.
enum BatchFileReader {
    static func read(_ path: String, defaultTool: String?) throws -> (
        items: [(line: Int, item: BatchItem)], invalid: [(Int, String)]
    ) {
        let data: Data?
        data =
            path == "-"
            ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data else { throw PollsterError(.invalidInput, "cannot read batch file \(path)").exit() }
        var items: [(line: Int, item: BatchItem)] = []
        var invalid: [(Int, String)] = []
        for (offset, text) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .enumerated() {
            let line = offset + 1
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let value = try? JSONParser.parse(String(text)), case .object = value else {
                invalid.append((line, "line \(line) is not a JSON object"))
                continue
            }
            guard let tool = value["tool"]?.stringValue ?? defaultTool else {
                invalid.append((line, "line \(line) names no tool; add \"tool\" or pass --tool"))
                continue
            }
            let id = value["id"]?.scalarText
            items.append((line, BatchItem(tool: tool, input: value["input"] ?? .object([:]), id: id)))
        }
        return (items, invalid)
    }
}

/// The JSON line printed for each item.
enum BatchLine {
    static func outcome(_ outcome: BatchOutcome, line: Int) -> String {
        var fields: OrderedDictionary<String, JSONValue> = [
            "line": .integer(Int64(line)), "tool": .string(outcome.item.tool),
            "id": outcome.item.id.map(JSONValue.string) ?? .null,
        ]
        switch outcome.result {
        case .success(let result):
            fields["state"] = "succeeded"
            fields["taskId"] = result.taskId.map(JSONValue.string) ?? .null
            fields["files"] = .array(
                result.files.map {
                    [
                        "path": $0.path.map(JSONValue.string) ?? .null, "url": .string($0.url),
                        "mimeType": .string($0.mimeType),
                        "size": $0.size.map { .integer(Int64($0)) } ?? .null,
                        "sha256": $0.sha256.map(JSONValue.string) ?? .null,
                    ]
                })
            fields["warnings"] = .array(
                result.warnings.map { ["code": .string($0.code.rawValue), "message": .string($0.message)] })
        case .failure(let error):
            fields["state"] = "failed"
            fields["error"] = [
                "code": .string(error.code.rawValue), "message": .string(error.message),
                "taskId": error.taskId.map(JSONValue.string) ?? .null,
            ]
        }
        return JSONValue.object(fields).description
    }

    static func invalid(line: Int, message: String) -> String {
        JSONValue.object([
            "line": .integer(Int64(line)), "state": "failed",
            "error": [
                "code": .string(PollsterError.Code.invalidInput.rawValue), "message": .string(message),
            ],
        ]).description
    }
}
