import Foundation
import Pollster
import PollsterCore

/// Interprets `--output`: an existing directory or a path ending in `/` is a directory;
/// anything else names the file of a single output.
struct OutputDestination {
    let directory: String
    let fileName: String?

    init(_ argument: String?) {
        guard let argument else {
            directory = FileManager.default.currentDirectoryPath
            fileName = nil
            return
        }
        var isDirectory: ObjCBool = false
        if argument.hasSuffix("/")
            || (FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory)
                && isDirectory.boolValue)
        {
            directory = argument
            fileName = nil
        } else {
            let parent = (argument as NSString).deletingLastPathComponent
            directory = parent.isEmpty ? "." : parent
            fileName = (argument as NSString).lastPathComponent
        }
    }

    /// Renames the single output to the requested file name.
    func finalize(_ files: [ToolFile]) throws -> [ToolFile] {
        guard let fileName, files.count == 1, let path = files[0].path else { return files }
        let target = (directory as NSString).appendingPathComponent(fileName)
        if target != path {
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: path, toPath: target)
        }
        var file = files[0]
        file.path = target
        file.filename = fileName
        return [file]
    }
}

/// Prints a result for people or as JSON.
enum ResultPrinter {
    static func print(_ result: ToolResult, files: [ToolFile], json: Bool) {
        var result = result
        result.files = files
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(result) { Console.out(String(decoding: data, as: UTF8.self)) }
            return
        }
        Console.out("\(result.tool): \(result.state.rawValue)  task \(result.taskId ?? "-")")
        Console.out(
            "  polls \(result.timings.polls), \(String(format: "%.1f", result.timings.elapsedSeconds)) s")
        let report = result.detection
        Console.out("  task id from: \(report.taskId ?? "-"); status URL from: \(report.statusUrl ?? "-")")
        Console.out("  status from: \(report.statusPath ?? "-") (\(report.statusRule ?? "-"))")
        for file in files {
            Console.out(
                "  file \(file.path ?? file.filename)  \(file.mimeType)  \(file.size.map(String.init) ?? "?") bytes  sha256 \(file.sha256 ?? "-")  (from \(file.foundAt))"
            )
        }
        for warning in result.warnings {
            Console.out("  warning \(warning.code.rawValue): \(warning.message)")
        }
    }
}
