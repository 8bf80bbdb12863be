import ArgumentParser
import Foundation
import Pollster
import PollsterCore
import PollsterPostgres
import PollsterServer

/// `pollster keys`: API keys of the HTTP API.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys of pollster serve.",
        subcommands: [CreateKeyCommand.self])
}

/// `pollster keys create --tenant T`: prints a new key once; only its SHA-256 is stored.
struct CreateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API key for a tenant; it is printed once (only its SHA-256 hash is stored).")

    @Option(help: "The tenant: tasks created with the key belong to it and are invisible to others.")
    var tenant: String

    @Option(
        help: ArgumentHelp(
            "Comma-separated scopes: tools:invoke (submit, cancel, retry), tasks:read (read tools, tasks, files).",
            valueName: "scopes"))
    var scope = "tools:invoke,tasks:read"

    @Option(
        name: .customLong("sqlite"),
        help: ArgumentHelp(
            "The SQLite file of pollster serve (default: $POLLSTER_SQLITE, else pollster.sqlite; with a database URL and no --sqlite, keys live in PostgreSQL).",
            valueName: "path"))
    var sqlitePath: String?

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL shared by pollster serve processes (default: $POLLSTER_DATABASE_URL).",
            valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        guard !tenant.isEmpty, tenant.count <= 200 else {
            throw ValidationError("--tenant must be 1–200 characters")
        }
        for name in scope.split(separator: ",") where Tenant.Scope(rawValue: String(name)) == nil {
            throw ValidationError("unknown scope \(name); use tools:invoke, tasks:read")
        }
    }

    func run() async throws {
        let scopes = Set(scope.split(separator: ",").compactMap { Tenant.Scope(rawValue: String($0)) })
        if sqlitePath == nil, let url = try DatabaseOptions.resolve(databaseURL) {
            try await DatabaseOptions.withDatabase(url) { database in
                try await store(in: PostgresServerStore(database: database), place: "\(url)", scopes: scopes)
            }
            return
        }
        let path = sqlitePath ?? Environment.value("POLLSTER_SQLITE") ?? "pollster.sqlite"
        let state: SQLiteServerStore
        do {
            state = try SQLiteServerStore(path: path)
        } catch {
            throw PollsterError(.invalidConfig, "cannot open the key store \(path): \(error)").exit()
        }
        try await store(in: state, place: path, scopes: scopes)
    }

    /// Makes a key, stores its hash and prints it once.
    private func store(in state: any ServerStore, place: String, scopes: Set<Tenant.Scope>) async throws {
        let key = APIKeys.generate()
        do {
            try await state.addKey(hash: APIKeys.hash(key), tenant: tenant, scopes: scopes)
            Console.out(key)
            Console.error(
                "tenant \(tenant), scopes \(scopes.map(\.rawValue).sorted().joined(separator: ",")), stored in \(place)"
            )
            Console.error("webhooks are signed with \(try await state.webhookSecret()) (Standard Webhooks)")
        } catch let error as PollsterError {
            throw error.exit()
        } catch {
            throw PollsterError(.invalidConfig, "cannot store the key in \(place): \(error)").exit()
        }
    }
}
