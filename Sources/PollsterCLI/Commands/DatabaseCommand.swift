import ArgumentParser
import PollsterPostgres

/// `pollster db …`: the PostgreSQL schema.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage Pollster's PostgreSQL schema.",
        subcommands: [DatabaseMigrateCommand.self])
}

/// `pollster db migrate --database-url URL`.
struct DatabaseMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the migrations the database does not have yet (safe to run again).",
        discussion:
            "The migrations of sql/migrations/ are built into pollster; each runs in its own transaction and is "
            + "recorded in schema_migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let url = try database.url()
        let (applied, versions) = try await database.withDatabase { database in
            (try await database.migrate(), try await database.appliedMigrations())
        }
        for migration in applied { Console.out("applied \(migration.name)") }
        let latest = versions.max().map { " (version \($0))" } ?? ""
        Console.out(
            applied.isEmpty ? "\(url): schema up to date\(latest)" : "\(url): schema migrated\(latest)")
    }
}
