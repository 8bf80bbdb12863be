import Crypto
import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// Downloads: the URL policy, size limits, MIME detection, and failures that keep the job.
@Suite("Downloads")
struct DownloadTests {
    static let tool = "heygen.create_avatar_video_v2"
    static let input = sampleInputs[tool]!

    /// The shipped HeyGen method with extra `output` keys.
    static func heygen(output: String) throws -> YAMLRegistry {
        try heygenRegistry("output: \(output)")
    }

    @Test("the default policy refuses loopback downloads: UNSAFE_URL, with the output URLs listed")
    func loopbackRefused() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1), urlPolicy: URLPolicy()) { pollster, mock in
            let error = try #require(
                await pollsterError {
                    try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
                })
            #expect(error.code == .unsafeURL)
            #expect(error.message.contains("loopback"))
            #expect(error.taskId != nil)
            #expect(error.outputs.count == 1)
            #expect(error.outputs.first?.contains("/files/") == true)
            #expect(mock.stats.downloads == 0)
            #expect(mock.stats.submissions == 1)
        }
    }

    @Test("the default policy refuses loopback downloads but keeps the job's result as a warning when asked")
    func loopbackRefusedLeniently() async throws {
        let registry = try Self.heygen(output: "{ failOnDownloadError: false }")
        try await withMockEngine(script: MockJobScript(polls: 1), registry: registry, urlPolicy: URLPolicy())
        {
            pollster, mock in
            let result = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            #expect(result.files.isEmpty)
            let warning = try #require(result.warnings.first)
            #expect(warning.code == .unsafeURL)
            #expect(warning.message.contains("loopback"))
            #expect(mock.stats.downloads == 0)
            #expect(result.data["data"]?["video_url"]?.stringValue != nil)
        }
    }

    @Test("a failed download is an error by default that names the task; a 404 is not retried")
    func strictDownload() async throws {
        try await withMockEngine(script: MockJobScript(polls: 1, fileFault: .notFound)) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            }
            #expect(error?.code == .downloadFailed)
            #expect(error?.httpStatus == 404)
            #expect(error?.taskId != nil)
            #expect(mock.stats.downloads == 1)
        }
    }

    @Test("failOnDownloadError: false makes a failed download a DOWNLOAD_FAILED warning")
    func lenientDownload() async throws {
        let registry = try Self.heygen(output: "{ failOnDownloadError: false, maxAttempts: 2 }")
        try await withMockEngine(
            script: MockJobScript(polls: 1, fileFault: .serverError(status: 500)), registry: registry
        ) {
            pollster, mock in
            let result = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            #expect(result.files.isEmpty)
            #expect(result.warnings.map(\.code) == [.downloadFailed])
        }
    }

    @Test("a download over output.maxBytes stops with RESPONSE_TOO_LARGE and leaves no partial file")
    func tooLarge() async throws {
        let registry = try Self.heygen(output: "{ maxBytes: 1000, failOnDownloadError: false }")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pollster-big-\(UUID().uuidString)")
        try await withMockEngine(
            script: MockJobScript(polls: 1, output: MockOutput(kind: .mp4, size: 5000)), registry: registry
        ) { pollster, mock in
            let result = try await pollster.invoke(
                Self.tool, input: Self.input, options: fastOptions(mock, directory: directory.path))
            #expect(result.warnings.map(\.code) == [.responseTooLarge])
            let left = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            #expect(left.isEmpty)
        }
    }

    @Test(
        "without a Content-Type the MIME type comes from magic bytes",
        arguments: [MockFileKind.png, .webp, .mp3, .pdf])
    func sniffedMIMEType(kind: MockFileKind) async throws {
        let script = MockJobScript(polls: 1, output: MockOutput(kind: kind, size: 600), omitContentType: true)
        try await withMockEngine(script: script) { pollster, mock in
            let result = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            let file = try #require(result.files.first)
            #expect(file.mimeType == kind.mimeType)
            #expect(file.filename.hasSuffix("." + (MIMEType.fileExtension(for: kind.mimeType) ?? "?")))
        }
    }

    @Test("a large file cut mid-way and resumed is whole: the file on disk hashes as the bytes received")
    func largeFileResumed() async throws {
        // Large enough that many chunks, from both attempts, must land in the file in order.
        let size = 40 << 20
        let cutAt = 25 << 20 + 12_345
        let script = MockJobScript(
            polls: 1, output: MockOutput(kind: .mp4, size: size), fileFaults: [1: .cutBody(afterBytes: cutAt)]
        )
        let directory = try TemporaryDirectory.make("download")
        defer { TemporaryDirectory.remove(directory) }
        try await withMockEngine(script: script) { pollster, mock in
            let result = try await pollster.invoke(
                Self.tool, input: Self.input, options: fastOptions(mock, directory: directory.path))
            let file = try #require(result.files.first)
            let written = try Data(contentsOf: URL(fileURLWithPath: try #require(file.path)))
            #expect(written.count == size)
            #expect(Hex.lowercase(SHA256.hash(data: written)) == file.sha256)
            // Resumed once, after what the cut attempt received (what was still in flight when the
            // connection closed is lost).
            let ranges = mock.stats.requests.compactMap { $0.headers["Range"] ?? $0.headers["range"] }
            let resumedAt = try #require(
                ranges.count == 1 ? Int(ranges[0].dropFirst(6).dropLast()) : nil, "\(ranges)")
            #expect(resumedAt > 0 && resumedAt <= cutAt, "\(ranges)")
        }
    }

    @Test("output.download false returns the URLs without fetching them")
    func noDownload() async throws {
        let registry = try Self.heygen(output: "{ download: false }")
        try await withMockEngine(script: MockJobScript(polls: 1), registry: registry) { pollster, mock in
            let result = try await pollster.invoke(Self.tool, input: Self.input, options: fastOptions(mock))
            #expect(result.files.count == 1)
            #expect(result.files.first?.bytes == nil)
            #expect(result.files.first?.url.contains("/files/") == true)
            #expect(mock.stats.downloads == 0)
        }
    }

    @Test(
        "the URL policy refuses what is not a public http(s) URL",
        arguments: [
            "ftp://example.com/a.mp4", "http://127.0.0.1/a", "http://[::1]/a",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/a", "http://localhost:8080/a", "http://user:pass@example.com/a",
            "file:///etc/passwd",
        ])
    func policyRefuses(url: String) async throws {
        let error = await pollsterError { try await URLPolicy().check(url, allowHosts: nil) }
        #expect(error?.code == .unsafeURL)
    }

    @Test("allowHosts limits downloads to the listed hosts")
    func allowHosts() async throws {
        let policy = URLPolicy(allowPrivateNetworks: true)
        _ = try await policy.check("https://cdn.example.com/a.mp4", allowHosts: ["*.example.com"])
        let error = await pollsterError {
            try await policy.check("https://evil.test/a.mp4", allowHosts: ["*.example.com"])
        }
        #expect(error?.code == .unsafeURL)
        #expect(error?.message.contains("allowHosts") == true)
    }
}
