import Foundation
import PollsterPostgres
import Testing

/// The migrations built into pollster are exactly the files in sql/migrations/.
@Suite("Migration files")
struct MigrationFilesTests {
    @Test("embedded migrations match sql/migrations/*.sql (run scripts/embed-migrations after a change)")
    func embeddedMatchFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.migrations)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(Migration.all.map { "\($0.name).sql" } == files, "run scripts/embed-migrations")
        for migration in Migration.all {
            let text = try String(
                contentsOfFile: "\(Repository.migrations)/\(migration.name).sql", encoding: .utf8)
            #expect(
                migration.sql == text,
                "\(migration.name).sql differs from its embedded copy: run scripts/embed-migrations")
            #expect(Int(migration.name.prefix(4)) == migration.version)
        }
        #expect(Migration.all.map(\.version) == Array(1...Migration.all.count))
    }

    @Test("every migration is written to be re-runnable")
    func idempotentStatements() {
        for migration in Migration.all {
            for statement in SQLScript.statements(migration.sql) {
                let code = statement.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(
                    separator: " ")
                if code.hasPrefix("CREATE TABLE") || code.hasPrefix("CREATE INDEX") {
                    #expect(code.contains("IF NOT EXISTS"), "\(migration.name): \(code.prefix(60))")
                }
                if code.hasPrefix("CREATE TRIGGER") {
                    #expect(migration.sql.contains("DROP TRIGGER IF EXISTS"), "\(migration.name)")
                }
            }
        }
    }
}
