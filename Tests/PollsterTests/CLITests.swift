import Foundation
import PollsterCore
import Testing

/// The `pollster` executable as a user runs it: exit codes, messages, the demo.
@Suite("Command line")
struct CLITests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// The built `pollster` next to the test bundle.
    static let executable: URL = {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent().appendingPathComponent("pollster")
    }()

    static func run(_ arguments: [String], in directory: URL = Repository.root) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["HEYGEN_API_KEY"] = nil
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
            error: String(decoding: errData, as: UTF8.self))
    }

    @Test("validate accepts the shipped adapters")
    func validateShipped() throws {
        let run = try Self.run(["validate", "adapters"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("tool methods valid"))
    }

    @Test("validate reports every broken file and exits with INVALID_CONFIG's code")
    func validateBroken() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try
            "inventory: a\nmethods: [ {name: x, endpoint: /x, adapterConfig: {polling: {intervalSecs: 1}}} ]\n"
            .write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "inventory: b\nmethods:\n  - name: y\n    endpoint: https://b.test/y\n    httpMethod: FETCH\n"
            .write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let run = try Self.run(["validate", directory.path])
        #expect(run.status == PollsterExitCodes.invalidConfig)
        #expect(run.error.contains("did you mean 'intervalSeconds'"))
        #expect(run.error.contains("httpMethod: 'FETCH' is not an HTTP method"))
        #expect(run.output.contains("2 invalid"))
    }

    @Test("an unknown tool exits with TOOL_NOT_FOUND's code")
    func unknownTool() throws {
        let run = try Self.run(["invoke", "nope.nothing", "--input", "{}"])
        #expect(run.status == PollsterExitCodes.toolNotFound)
        #expect(run.error.contains("TOOL_NOT_FOUND"))
    }

    @Test("a missing secret exits with MISSING_SECRET's code and names the variable")
    func missingSecret() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let run = try Self.run(
            [
                "invoke", "heygen.create_avatar_video_v2", "--input", #"{"video_inputs": []}"#, "--adapters",
                Repository.adapters,
            ], in: directory)
        #expect(run.status == PollsterExitCodes.missingSecret)
        #expect(run.error.contains("HEYGEN_API_KEY"))
    }

    @Test("invalid --input JSON exits with INVALID_INPUT's code")
    func badInput() throws {
        let run = try Self.run(["invoke", "fal.fast_sdxl", "--input", "{prompt:"])
        #expect(run.status == PollsterExitCodes.invalidInput)
    }

    @Test("list shows every shipped tool")
    func list() throws {
        let run = try Self.run(["list"])
        #expect(run.status == 0)
        for tool in shippedTools { #expect(run.output.contains(tool)) }
    }

    @Test("the demo runs offline and writes its output")
    func demo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-demo-\(UUID().uuidString)")
        let run = try Self.run(["demo", "--output", directory.path, "--adapters", Repository.adapters])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("succeeded"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1)
        #expect(files.first?.hasSuffix(".mp4") == true)
    }
}

/// Exit codes the CLI documents (docs/cli.md); kept here independently so a change is noticed.
enum PollsterExitCodes {
    static let toolNotFound: Int32 = 3
    static let invalidConfig: Int32 = 4
    static let missingSecret: Int32 = 5
    static let invalidInput: Int32 = 6
}
