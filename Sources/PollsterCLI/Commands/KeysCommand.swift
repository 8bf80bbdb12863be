import ArgumentParser
import Foundation
import Pollster
import PollsterCore
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
            "The SQLite file of pollster serve (default: $POLLSTER_SQLITE, else pollster.sqlite).",
            valueName: "path"))
    var sqlitePath: String?

    func validate() throws {
        guard !tenant.isEmpty, tenant.count <= 200 else {
            throw ValidationError("--tenant must be 1–200 characters")
        }
        for name in scope.split(separator: ",") where Tenant.Scope(rawValue: String(name)) == nil {
            throw ValidationError("unknown scope \(name); use tools:invoke, tasks:read")
        }
    }

    func run() async throws {
        let path = sqlitePath ?? Environment.value("POLLSTER_SQLITE") ?? "pollster.sqlite"
        let scopes = Set(scope.split(separator: ",").compactMap { Tenant.Scope(rawValue: String($0)) })
        let key = APIKeys.generate()
        do {
            let store = try SQLiteServerStore(path: path)
            try await store.addKey(hash: APIKeys.hash(key), tenant: tenant, scopes: scopes)
            Console.out(key)
            Console.error(
                "tenant \(tenant), scopes \(scopes.map(\.rawValue).sorted().joined(separator: ",")), stored in \(path)"
            )
            Console.error("webhooks are signed with \(try await store.webhookSecret()) (Standard Webhooks)")
        } catch {
            throw PollsterError(.invalidConfig, "cannot store the key in \(path): \(error)").exit()
        }
    }
}
