import Foundation
import NIOCore
import NIOHTTP1
import PollsterCore
import PollsterMock
import Testing

@testable import Pollster

/// A provider names downloads (`Content-Disposition`), and the output folder is shared (the
/// current directory for `invoke`, one folder for a `batch`): a name that is taken must never
/// replace or remove what is there (issue 12).
@Suite("Security: download names never replace existing files")
struct DownloadNamingTests {
    static let tool = "hostile.render"

    /// A provider whose job succeeds at once with one output, served as `disposition`.
    static func engine(disposition: String, body: [UInt8]) throws -> (Pollster, HostileProvider) {
        let provider = HostileProvider { request in
            if request.url.hasSuffix("/jobs") { return .json(#"{"id": "t1"}"#) }
            if request.url.hasSuffix("/jobs/t1") {
                return .json(#"{"status": "completed", "video_url": "https://cdn.hostile.test/out"}"#)
            }
            return HostileProvider.Answer(
                headers: ["Content-Type": "application/octet-stream", "Content-Disposition": disposition],
                body: body)
        }
        let registry = try registry(
            yaml: """
                inventory: hostile
                baseUrl: https://api.hostile.test
                methods:
                  - name: render
                    endpoint: /jobs
                    adapterConfig:
                      polling: { statusUrl: "/jobs/{id}" }
                      output: { failOnDownloadError: true }
                """)
        let pollster = Pollster(
            registry: registry, transport: provider, secrets: Secrets([:]),
            urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
        return (pollster, provider)
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-naming-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test(
        "a Content-Disposition name that is taken gets 'name (2).ext'; what was there is untouched",
        arguments: [false, true])
    func takenName(byDirectory: Bool) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let taken = directory + "/notes.txt"
        let original = Array("the user's own notes\n".utf8)
        if byDirectory {
            try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: false)
            try Data(original).write(to: URL(fileURLWithPath: taken + "/inside.txt"))
        } else {
            try Data(original).write(to: URL(fileURLWithPath: taken))
        }
        let downloaded = Array("provider bytes".utf8)
        let (pollster, _) = try Self.engine(
            disposition: #"attachment; filename="notes.txt""#, body: downloaded)
        let result = try await pollster.invoke(
            Self.tool, input: [:],
            options: InvokeOptions(outputDirectory: directory, pollInterval: .milliseconds(1)))

        let file = try #require(result.files.first)
        #expect(file.path == directory + "/notes (2).txt")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/notes (2).txt")) == Data(downloaded))
        if byDirectory {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: taken, isDirectory: &isDirectory))
            #expect(isDirectory.boolValue)
            #expect(try Data(contentsOf: URL(fileURLWithPath: taken + "/inside.txt")) == Data(original))
        } else {
            #expect(try Data(contentsOf: URL(fileURLWithPath: taken)) == Data(original))
        }
        #expect(Self.entries(directory) == ["notes (2).txt", "notes.txt"])
    }

    @Test("three downloads of one name in one folder keep all three, numbered")
    func series() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for index in 1...3 {
            var sink = try DownloadSink(directory: directory)
            try sink.write(ByteBuffer(bytes: [UInt8(index)]))
            paths.append(try #require(sink.finish(as: "clip.mp4").path))
        }
        #expect(
            paths.map { ($0 as NSString).lastPathComponent } == ["clip.mp4", "clip (2).mp4", "clip (3).mp4"])
        for (index, path) in paths.enumerated() {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([UInt8(index + 1)]))
        }
    }

    @Test("when every candidate name is taken: DOWNLOAD_FAILED, nothing replaced, no .part left")
    func exhausted() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for attempt in 1...ExclusiveRename.maxTries {
            let name = ExclusiveRename.candidate("a.bin", attempt)
            try Data("kept \(attempt)".utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        var sink = try DownloadSink(directory: directory)
        try sink.write(ByteBuffer(bytes: [9, 9, 9]))
        #expect {
            _ = try sink.finish(as: "a.bin")
        } throws: { error in
            (error as? PollsterError)?.code == .downloadFailed
        }
        let left = Self.entries(directory)
        #expect(left.count == ExclusiveRename.maxTries)
        #expect(!left.contains { $0.hasSuffix(".part") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/a (7).bin")) == Data("kept 7".utf8))
    }
}
