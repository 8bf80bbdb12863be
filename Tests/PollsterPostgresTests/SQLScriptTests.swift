import PollsterPostgres
import Testing

/// Migration files are cut into statements at the right semicolons.
@Suite("SQL script splitting")
struct SQLScriptTests {
    @Test(
        "statements",
        arguments: [
            ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
            ("SELECT 1", ["SELECT 1"]),
            ("-- only a comment\n", []),
            ("-- head; not a split\nSELECT 1;\n-- tail;\n", ["-- head; not a split\nSELECT 1"]),
            ("SELECT 'a;b', \"c;d\";", ["SELECT 'a;b', \"c;d\""]),
            ("SELECT 'it''s; fine';", ["SELECT 'it''s; fine'"]),
            (#"SELECT E'a\';b';"#, [#"SELECT E'a\';b'"#]),
            ("SELECT /* a; /* nested; */ b; */ 1;", ["SELECT /* a; /* nested; */ b; */ 1"]),
            (
                "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql; SELECT 2;",
                [
                    "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql",
                    "SELECT 2",
                ]
            ),
            ("DO $body$ BEGIN PERFORM 1; END $body$;", ["DO $body$ BEGIN PERFORM 1; END $body$"]),
            ("SELECT $1; SELECT a$b;", ["SELECT $1", "SELECT a$b"]),
            (";;  ;", []),
        ])
    func split(script: String, expected: [String]) {
        #expect(SQLScript.statements(script) == expected)
    }

    @Test("every embedded migration splits into statements that each hold SQL")
    func migrations() {
        for migration in Migration.all {
            let statements = SQLScript.statements(migration.sql)
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { !$0.hasSuffix(";") })
        }
        #expect(SQLScript.statements(Migration.all[0].sql).count == 7)
    }
}
