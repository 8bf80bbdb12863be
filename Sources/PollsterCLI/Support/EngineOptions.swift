import ArgumentParser
import CoreMetrics
import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterPostgres

/// Options shared by every command that loads adapters.
struct EngineOptions: ParsableArguments {
    @Option(
        name: .customLong("adapters"), help: "Directory (or file) of adapter YAML files (default: adapters).")
    var adapters: String?

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "Also load tool methods from these PostgreSQL rows (default: $POLLSTER_DATABASE_URL); they win over YAML.",
            valueName: "url"))
    var databaseURL: String?

    @Option(name: .customLong("base-url"), help: "Send requests to this base URL instead of the adapter's.")
    var baseUrl: String?

    @Flag(
        name: .customLong("allow-private-networks"),
        help: "Allow downloads from loopback and private addresses.")
    var allowPrivateNetworks = false

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "Also trust the CA certificates in this PEM file for HTTPS (default: $SSL_CERT_FILE), e.g. a company's own CA.",
            valueName: "pem"))
    var caFile: String?

    /// The adapter directory (or file).
    var adapterDirectory: String { adapters ?? "adapters" }

    /// The database from `--database-url` or `POLLSTER_DATABASE_URL`, if any.
    func database() throws -> DatabaseURL? {
        try DatabaseOptions.resolve(databaseURL)
    }

    /// The YAML adapters, reloaded when their files change or on SIGHUP (run it as a service);
    /// nil when no directory was given and `adapters/` does not exist.
    func watchedYAMLRegistry(logger: Logger) throws -> WatchedYAMLRegistry? {
        guard adapters != nil || FileManager.default.fileExists(atPath: adapterDirectory) else { return nil }
        do {
            return try WatchedYAMLRegistry(directory: adapterDirectory, logger: logger)
        } catch let error as PollsterError {
            throw error.exit()
        }
    }

    /// The YAML adapters alone.
    func yamlRegistry() throws -> YAMLRegistry {
        do { return try YAMLRegistry(directory: adapterDirectory) } catch let error as PollsterError {
            throw error.exit()
        }
    }

    /// The tool methods: the YAML adapters, or with a database URL its rows (read once)
    /// followed by the YAML directory when there is one — the database wins a name clash.
    func registry() async throws -> any ToolRegistry {
        guard let url = try database() else { return try yamlRegistry() }
        let rows: RegistrySnapshot
        do {
            rows = try await RegistrySnapshot.load(from: url, logger: DatabaseOptions.logger)
        } catch let error as PollsterError {
            throw error.exit()
        }
        guard adapters != nil || FileManager.default.fileExists(atPath: adapterDirectory) else { return rows }
        return CompositeRegistry([rows, try yamlRegistry()])
    }

    /// A client for the real network, trusting `--ca-file` (or `$SSL_CERT_FILE`) besides the
    /// system's certificates.
    func transport() -> HTTPClientTransport {
        var configuration = HTTPClientTransport.Configuration()
        configuration.trustedCertificatesFile =
            caFile ?? ProcessInfo.processInfo.environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        return HTTPClientTransport(configuration: configuration)
    }

    /// Runs `body` with an engine over the real network, shutting the client down afterwards.
    /// The engine hosts its shared scheduler (`Pollster.run`) while `body` runs, so that the
    /// invocations of workers and servers wait as data rather than as sleeping tasks.
    func withEngine<T>(
        secrets: Secrets = SecretStore.load(), registry given: (any ToolRegistry)? = nil,
        metrics: (any MetricsFactory)? = nil, _ body: (Pollster) async throws -> T
    ) async throws -> T {
        let registry: any ToolRegistry
        if let given { registry = given } else { registry = try await self.registry() }
        let transport = transport()
        let pollster = Pollster(
            registry: registry, transport: transport, secrets: secrets,
            urlPolicy: URLPolicy(allowPrivateNetworks: allowPrivateNetworks),
            logger: Logger(label: "pollster"), metrics: metrics)
        do {
            let value = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pollster.run() }
                defer { group.cancelAll() }
                return try await body(pollster)
            }
            try await transport.shutdown()
            return value
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }
}
