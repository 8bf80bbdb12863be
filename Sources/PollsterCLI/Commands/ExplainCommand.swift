import ArgumentParser
import Pollster
import PollsterCore
import PollsterMock

/// `pollster explain --fixture F`: which paths gave the id, the status and the output.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Explain how a recorded exchange is understood.")

    @Option(help: "The fixture file (recorded exchange).")
    var fixture: String

    @Option(help: "Use this tool's rules (default: the fixture's tool, else the default rules).")
    var tool: String?

    @Flag(help: "Compare the tool's explicit rules with auto-detection and show where they disagree.")
    var diff = false

    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let recorded: Fixture
        do { recorded = try Fixture.load(path: fixture) } catch let error as PollsterError {
            throw error.exit()
        }
        var method: ToolMethod?
        if let name = tool ?? recorded.tool {
            do {
                method = try await engine.registry().method(named: name)
                Console.out("rules: \(name)")
            } catch let error as PollsterError {
                if tool != nil { throw error.exit() }
                Console.out("rules: defaults (\(error.message))")
            }
        } else {
            Console.out("rules: defaults")
        }
        // The values of the secrets the tool references are masked, in every encoding.
        let redactor =
            method.map { Redactor(method: $0.plan, secrets: SecretStore.load()) }
            ?? Redactor(secrets: [String]())
        if diff {
            guard let method else {
                throw PollsterError(
                    .toolNotFound,
                    "--diff compares a tool's rules with detection: pass --tool inventory.method"
                ).exit()
            }
            let lines = FixtureDiff.diff(recorded, method: method, redactor: redactor)
            for line in lines { Console.out(line.text) }
            let differing = lines.filter { !$0.agrees }.count
            Console.out(
                differing == 0
                    ? "config and detection agree everywhere"
                    : "\(differing) of \(lines.count) findings differ: those need the explicit keys")
            return
        }
        for line in FixtureExplainer.explain(recorded, method: method, redactor: redactor) {
            Console.out(line)
        }
    }
}
