import ArgumentParser
import Foundation
import PollsterCore
import PollsterMock

/// `pollster infer --fixture F [--fixture G] [--out FILE]`: drafts an adapter from recordings and
/// replays them through the draft.
struct InferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Draft an adapter YAML from recorded exchanges and verify it by replaying them.",
        discussion: """
            The first fixture decides the requests; every fixture (say a success and a failure) adds \
            to the status vocabulary. Each guess is a comment with its confidence; ambiguities are \
            QUESTION comments. The replay report follows the YAML as comments. Exit code 4 \
            (INVALID_CONFIG) when the draft does not reproduce a recording.
            """)

    @Option(
        name: .customLong("fixture"),
        help: "A recorded fixture (repeat for more recordings of the same tool).")
    var fixtures: [String] = []

    @Option(
        name: .customLong("from-curl"),
        help:
            "Instead of a fixture: the submit as a curl command line (a second one: the first status request)."
    )
    var curls: [String] = []

    @Option(help: "Name the drafted tool inventory.method (default: the fixture's tool).")
    var tool: String?

    @Option(help: "Write the YAML here instead of standard output.")
    var out: String?

    func validate() throws {
        if fixtures.isEmpty == curls.isEmpty {
            throw ValidationError("give --fixture FILE (one or more) or --from-curl 'curl …', not both")
        }
    }

    func run() async throws {
        let recordings: [Fixture]
        do {
            recordings =
                try curls.isEmpty ? fixtures.map { try Fixture.load(path: $0) } : [CurlCommand.fixture(curls)]
        } catch let error as PollsterError {
            throw error.exit()
        }
        let draft: AdapterDraft
        do { draft = try AdapterInferrer.infer(recordings, tool: tool) } catch { throw error.exit() }
        var text = draft.yaml
        var failed = false
        if curls.isEmpty {
            let reports: [DraftVerifier.Report]
            do { reports = try await DraftVerifier.verify(draft, fixtures: recordings) } catch let error
                as PollsterError
            {
                throw error.exit()
            }
            for (path, report) in zip(fixtures, reports) {
                text += "# --- replay of \(path) through this draft\n"
                text += report.lines.map { "# \($0)\n" }.joined()
                failed = failed || !report.passed
            }
        } else {
            text +=
                "# --- not verified: a curl command has no recorded answers; record a run with this draft\n"
        }
        if let out {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: out)) } catch {
                throw PollsterError(.invalidInput, "cannot write the draft to \(out): \(error)").exit()
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        Console.error(
            "drafted \(draft.tool): \(draft.guesses.count) guesses, \(draft.questions.count) questions")
        if failed {
            throw PollsterError(
                .invalidConfig,
                "the draft does not reproduce the recording; see the replay report after the YAML"
            ).exit()
        }
    }
}
