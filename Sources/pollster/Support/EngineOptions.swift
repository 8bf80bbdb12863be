import ArgumentParser
import Logging
import Pollster
import PollsterCore

/// Options shared by every command that loads adapters.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("adapters"), help: "Directory (or file) of adapter YAML files.")
    var adapters: String = "adapters"

    @Option(name: .customLong("base-url"), help: "Send requests to this base URL instead of the adapter's.")
    var baseUrl: String?

    @Flag(
        name: .customLong("allow-private-networks"),
        help: "Allow downloads from loopback and private addresses.")
    var allowPrivateNetworks = false

    /// Loads the registry.
    func registry() throws -> YAMLRegistry {
        do { return try YAMLRegistry(directory: adapters) } catch let error as PollsterError {
            throw error.exit()
        }
    }

    /// Runs `body` with an engine over the real network, shutting the client down afterwards.
    func withEngine<T>(
        secrets: Secrets = SecretStore.load(), _ body: (Pollster) async throws -> T
    ) async throws -> T {
        let transport = HTTPClientTransport()
        let pollster = Pollster(
            registry: try registry(), transport: transport, secrets: secrets,
            urlPolicy: URLPolicy(allowPrivateNetworks: allowPrivateNetworks),
            logger: Logger(label: "pollster"))
        do {
            let value = try await body(pollster)
            try await transport.shutdown()
            return value
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }
}
