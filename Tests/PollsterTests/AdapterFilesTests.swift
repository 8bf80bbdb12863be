import Foundation
import Pollster
import PollsterCore
import PollsterMock
import Testing

/// The shipped adapter files: all valid, and each breaks loudly when a key is wrong.
@Suite("Shipped adapter files")
struct AdapterFilesTests {
    static let files: [String] = {
        let enumerator = FileManager.default.enumerator(atPath: Repository.adapters)
        return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test("every shipped file is valid and every method compiles")
    func allValid() async throws {
        #expect(Self.files.count >= 4)
        let registry = try YAMLRegistry(directory: Repository.adapters)
        #expect(try await registry.problems().isEmpty)
        #expect(try await registry.methods().count >= Self.files.count)
    }

    @Test(
        "a misspelt key in a copy of each file is named, with its line and the key it meant", arguments: files
    )
    func brokenCopyFails(file: String) throws {
        let text = try String(contentsOfFile: "\(Repository.adapters)/\(file)", encoding: .utf8)
        let broken = text.replacingOccurrences(of: "adapterConfig:", with: "adapterConfg:")
        #expect(broken != text)
        let error = #expect(throws: PollsterError.self) {
            _ = try InventoryLoader.load(yaml: broken, source: file)
        }
        #expect(error?.code == .invalidConfig)
        #expect(error?.message.contains("unknown key 'adapterConfg'") == true)
        #expect(error?.message.contains("did you mean 'adapterConfig'") == true)
        #expect(error?.message.contains("\(file):") == true)
    }

    @Test("Replicate sync mode: a prediction finished within Prefer: wait needs no polling")
    func replicateSyncMode() async throws {
        try await withMockEngine(script: MockJobScript(polls: 0, output: MockOutput(kind: .webp, size: 900)))
        {
            pollster, mock in
            let result = try await pollster.invoke(
                "replicate.flux_schnell", input: ["prompt": "a cat"], options: fastOptions(mock))
            #expect(result.timings.polls == 0)
            #expect(mock.stats.polls == 0)
            #expect(result.files.first?.mimeType == "image/webp")
            let submit = try #require(mock.stats.requests.first { $0.method == "POST" })
            #expect(submit.headers["prefer"] == "wait=30")
            #expect(submit.bodyText.contains(#""aspect_ratio":"1:1""#))
        }
    }
}
