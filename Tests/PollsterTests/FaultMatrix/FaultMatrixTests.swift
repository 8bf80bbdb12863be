import Crypto
import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Every fault class of design.md and issue 11 against every shipped protocol shape, through
/// the library over real HTTP: the final state and error code, exactly the provider jobs
/// expected, the file's SHA-256 against the mock's bytes, and no `.part` file left behind.
@Suite("Fault matrix")
struct FaultMatrixTests {
    /// One test per fault class, the shapes in turn: 27 mock servers at a time rather than 270,
    /// so the matrix does not starve the timing-sensitive tests that run beside it.
    @Test("a fault ends in the right state on every shipped shape", arguments: FaultCase.all)
    func faultEndsRight(fault: FaultCase) async throws {
        for shape in ProtocolShape.all where fault.applies(shape) {
            try await Self.check(fault, on: shape)
        }
    }

    static func check(_ fault: FaultCase, on shape: ProtocolShape) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-matrix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try await run(fault, shape, directory: directory.path)
        switch (fault.expected(shape), outcome.result) {
        case (.succeeds, .success(let result)):
            let file = try #require(result.files.first)
            #expect(result.files.count == 1)
            #expect(file.size == FaultCase.output.size)
            #expect(file.sha256 == mockSHA256(shape.kind), "\(shape.tool)")
            let path = try #require(file.path)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(hex(SHA256.hash(data: bytes)) == mockSHA256(shape.kind))
            #expect(file.mimeType == shape.kind.mimeType)
        case (.fails(let code), .failure(let error)):
            #expect(error.code == code, "\(shape.tool): \(error)")
            if let text = fault.messageContains {
                #expect(error.message.contains(text), "\(error.message)")
            }
            if fault.jobs > 0 { #expect(error.taskId != nil, "a failure after submit names the task") }
        case (let expected, let actual):
            Issue.record("\(shape.tool): expected \(expected), got \(actual)")
        }
        #expect(outcome.stats.jobsCreated == fault.jobs, "\(shape.tool)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        #expect(!left.contains { $0.hasSuffix(".part") }, "partial files left: \(left)")
    }

    /// What one run produced.
    struct Outcome {
        var result: Result<ToolResult, PollsterError>
        var stats: MockProviderStats
    }

    static func run(_ fault: FaultCase, _ shape: ProtocolShape, directory: String) async throws -> Outcome {
        let scripts = fault.scripts(shape)
        return try await withMockEngine(script: FaultCase.job(shape), secrets: ProtocolShape.secrets) {
            pollster, mock in
            for script in scripts { mock.enqueue(script) }
            let options = InvokeOptions(
                outputDirectory: directory, baseUrlOverride: mock.baseURL + shape.prefix,
                pollInterval: .milliseconds(20), maxWait: fault.maxWait ?? .seconds(30))
            let result: Result<ToolResult, PollsterError>
            do {
                result = .success(try await pollster.invoke(shape.tool, input: shape.input, options: options))
            } catch let error as PollsterError {
                result = .failure(error)
            }
            return Outcome(result: result, stats: mock.stats)
        }
    }

    static func mockSHA256(_ kind: MockFileKind) -> String {
        hex(SHA256.hash(data: MockFiles.bytes(kind: kind, size: FaultCase.output.size)))
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
