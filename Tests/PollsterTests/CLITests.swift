import Foundation
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// The `pollster` executable as a user runs it: exit codes, messages, the demo.
@Suite("Command line")
struct CLITests {
    /// The built `pollster` next to the test bundle.
    static let executable: URL = {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent().appendingPathComponent("pollster")
    }()

    /// Runs `pollster arguments…` in `directory`, without the shipped adapters' secrets unless given.
    static func run(
        _ arguments: [String], in directory: URL = Repository.root, environment extra: [String: String] = [:]
    ) async throws -> ProcessRun {
        var environment: [String: String?] = ["HEYGEN_API_KEY": nil]
        for (name, value) in extra { environment[name] = value }
        return try await ProcessRun.run(executable, arguments, in: directory, environment: environment)
    }

    #if canImport(Glibc)
        @Test("pollster caps glibc's malloc arenas when loaded, unless the user chose a number")
        func mallocArenas() async throws {
            /// The cap `pollster` reports at debug level, with `chosen` in its environment.
            func cap(_ chosen: [String: String]) async throws -> Int? {
                var environment: [String: String?] = [
                    "POLLSTER_LOG_LEVEL": "debug", "MALLOC_ARENA_MAX": nil, "GLIBC_TUNABLES": nil,
                ]
                for (name, value) in chosen { environment[name] = value }
                let run = try await ProcessRun.run(
                    Self.executable, ["list"], in: Repository.root, environment: environment)
                #expect(run.status == 0, "\(run.error)")
                let line = run.error.split(separator: "\n").first { $0.contains("malloc arenas") }
                return line?.split(separator: " ").first { $0.hasPrefix("cap=") }.flatMap {
                    Int($0.dropFirst(4))
                }
            }
            let capped = try #require(try await cap([:]))
            #expect(capped >= 2 && capped % 2 == 0, "two per core: \(capped)")
            #expect(try await cap(["MALLOC_ARENA_MAX": "3"]) == 0, "glibc applies MALLOC_ARENA_MAX itself")
            #expect(try await cap(["GLIBC_TUNABLES": "glibc.malloc.arena_max=3"]) == 0, "and the tunable")
        }
    #endif

    #if os(Linux)
        @Test("pollster raises its open-file limit to the hard limit the administrator set")
        func raisesTheOpenFileLimit() async throws {
            let hard = try await ProcessRun.run(
                URL(fileURLWithPath: "/bin/sh"), ["-c", "ulimit -Hn"], in: Repository.root, environment: [:])
            let run = try await ProcessRun.run(
                URL(fileURLWithPath: "/bin/sh"),
                ["-c", "ulimit -Sn 256 && exec \"$0\" list", Self.executable.path],
                in: Repository.root, environment: ["POLLSTER_LOG_LEVEL": "debug"])
            #expect(run.status == 0, "\(run.error)")
            let expected = hard.output.trimmingCharacters(in: .whitespacesAndNewlines)
            let soft = run.error.split(separator: "\n").first { $0.contains("open-file limit") }
            #expect(soft?.contains("soft=\(expected)") == true, "from 256 to \(expected): \(soft ?? "")")
        }

    #endif

    @Test("validate accepts the shipped adapters")
    func validateShipped() async throws {
        let run = try await Self.run(["validate", "adapters"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("tool methods valid"))
    }

    @Test("validate reports every broken file and exits with INVALID_CONFIG's code")
    func validateBroken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try
            "inventory: a\nmethods: [ {name: x, endpoint: /x, adapterConfig: {polling: {intervalSecs: 1}}} ]\n"
            .write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "inventory: b\nmethods:\n  - name: y\n    endpoint: https://b.test/y\n    httpMethod: FETCH\n"
            .write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let run = try await Self.run(["validate", directory.path])
        #expect(run.status == PollsterExitCodes.invalidConfig)
        #expect(run.error.contains("did you mean 'intervalSeconds'"))
        #expect(run.error.contains("httpMethod: 'FETCH' is not an HTTP method"))
        #expect(run.output.contains("2 invalid"))
    }

    @Test("an unknown tool exits with TOOL_NOT_FOUND's code")
    func unknownTool() async throws {
        let run = try await Self.run(["invoke", "nope.nothing", "--input", "{}"])
        #expect(run.status == PollsterExitCodes.toolNotFound)
        #expect(run.error.contains("TOOL_NOT_FOUND"))
    }

    @Test("a missing secret exits with MISSING_SECRET's code and names the variable")
    func missingSecret() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let run = try await Self.run(
            [
                "invoke", "heygen.create_avatar_video_v2", "--input", #"{"video_inputs": [{}]}"#,
                "--adapters",
                Repository.adapters,
            ], in: directory)
        #expect(run.status == PollsterExitCodes.missingSecret)
        #expect(run.error.contains("HEYGEN_API_KEY"))
    }

    @Test("invalid --input JSON exits with INVALID_INPUT's code")
    func badInput() async throws {
        let run = try await Self.run(["invoke", "fal.fast_sdxl", "--input", "{prompt:"])
        #expect(run.status == PollsterExitCodes.invalidInput)
    }

    @Test("batch prints one JSON line per item, keeps going after a failure, and exits 8")
    func batch() async throws {
        let mock = try await MockProviderServer.start(defaultScript: MockJobScript(polls: 1))
        mock.enqueue(MockJobScript(polls: 1))
        mock.enqueue(MockJobScript(polls: 1, outcome: .failure(message: "bad prompt")))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lines = [
            #"{"tool": "fal.fast_sdxl", "input": {"prompt": "one"}, "id": "a"}"#,
            #"{"tool": "fal.fast_sdxl", "input": {"prompt": "two"}, "id": "b"}"#,
            "not json",
            #"{"input": {"prompt": "three"}, "id": "c"}"#,
        ]
        let file = directory.appendingPathComponent("jobs.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let run = try await Self.run(
            [
                "batch", file.path, "--concurrency", "1", "--tool", "fal.fast_sdxl", "--output",
                directory.path,
                "--base-url", mock.baseURL, "--allow-private-networks",
            ], environment: ["FAL_KEY": "k"])
        try await mock.shutdown()
        #expect(run.status == 8, "\(run.error)")
        let results = run.output.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        #expect(results.count == 4)
        let states = Dictionary(
            uniqueKeysWithValues: results.map {
                ($0["line"]?.scalarText ?? "", $0["state"]?.stringValue ?? "")
            })
        #expect(states == ["1": "succeeded", "2": "failed", "3": "failed", "4": "succeeded"])
        #expect(run.error.contains("batch: 2 succeeded, 1 failed of 3"))
    }

    @Test("list shows every shipped tool")
    func list() async throws {
        let run = try await Self.run(["list"])
        #expect(run.status == 0)
        for tool in shippedTools { #expect(run.output.contains(tool)) }
    }

    @Test("the demo runs offline and writes its output")
    func demo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-demo-\(UUID().uuidString)")
        let run = try await Self.run(["demo", "--output", directory.path, "--adapters", Repository.adapters])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("succeeded"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1)
        #expect(files.first?.hasSuffix(".mp4") == true)
    }

    /// Without them the handshake fails after one connect timeout (10 s), not tried again.
    @Test("a provider with a private CA is trusted through --ca-file or $SSL_CERT_FILE, else exit 12")
    func caFile() async throws {
        let mock = try await MockProviderServer.start(
            defaultScript: MockJobScript(polls: 1), tls: TLSTransportTests.identity)
        let invoke = [
            "invoke", "fal.fast_sdxl", "--input", #"{"prompt": "a cat"}"#, "--output",
            FileManager.default.temporaryDirectory.path, "--json", "--base-url", mock.baseURL,
            "--allow-private-networks",
        ]
        let certificate = TLSTransportTests.identity.certificateFile
        let flag = try await Self.run(invoke + ["--ca-file", certificate], environment: ["FAL_KEY": "k"])
        let environment = try await Self.run(
            invoke, environment: ["FAL_KEY": "k", "SSL_CERT_FILE": certificate])
        let untrusted = try await Self.run(invoke, environment: ["FAL_KEY": "k"])
        let submissions = mock.stats.submissions
        try await mock.shutdown()
        #expect(flag.status == 0, "\(flag.error)")
        #expect(environment.status == 0, "\(environment.error)")
        #expect(submissions == 2)
        #expect(untrusted.status == 12, "\(untrusted.output) \(untrusted.error)")
        let report = untrusted.output + untrusted.error
        #expect(report.contains("TLS handshake failed"), "\(report)")
        #expect(report.contains("--ca-file"), "\(report)")
        #expect(report.contains("nothing was submitted"), "\(report)")
    }
}

/// Exit codes the CLI documents (docs/cli.md); kept here independently so a change is noticed.
enum PollsterExitCodes {
    static let toolNotFound: Int32 = 3
    static let invalidConfig: Int32 = 4
    static let missingSecret: Int32 = 5
    static let invalidInput: Int32 = 6
}
