import ArgumentParser
import Pollster
import PollsterCore

/// `pollster list`: every tool method of the adapters.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tool methods.")

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var engine: EngineOptions

    func run() async throws {
        let registry = try await engine.registry()
        let methods = try await registry.methods()
        if json {
            let items: [JSONValue] = methods.map {
                [
                    "name": .string($0.name),
                    "description": $0.config.description.map(JSONValue.string) ?? .null,
                    "endpoint": .string(Self.shown($0.config.endpoint)),
                    "httpMethod": .string($0.config.httpMethod),
                ]
            }
            Console.out(JSONValue.array(items).description)
        } else {
            for method in methods {
                Console.out(
                    "\(method.name)  \(method.config.httpMethod) \(Self.shown(method.config.endpoint))")
                if let description = method.config.description { Console.out("    \(description)") }
            }
        }
        for problem in try await registry.problems() {
            Console.error("warning \(problem.code.rawValue): \(problem.message)")
        }
    }

    /// A configured URL as it may be printed: literal credentials (user-info, `api_key=…`)
    /// masked; `${NAME}` references shown, they are not secrets.
    static func shown(_ url: String) -> String { URLCredentials.mask(url, keepingPlaceholders: true) }
}
