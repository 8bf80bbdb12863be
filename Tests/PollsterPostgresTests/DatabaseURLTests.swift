import PollsterCore
import PollsterPostgres
import Testing

/// Database URLs parse like libpq's and never show their password.
@Suite("Database URL")
struct DatabaseURLTests {
    @Test("parts and defaults")
    func parts() throws {
        let url = try DatabaseURL("postgres://pollster:p%40ss@db.internal:6543/registry?sslmode=require")
        #expect(url.host == "db.internal")
        #expect(url.port == 6543)
        #expect(url.username == "pollster")
        #expect(url.password == "p@ss")
        #expect(url.database == "registry")
        #expect(url.tlsMode == .require)
        let plain = try DatabaseURL("postgresql://me@localhost")
        #expect(plain.port == 5432)
        #expect(plain.database == "me")
        #expect(plain.password == nil)
        #expect(plain.tlsMode == .prefer)
        let socket = try DatabaseURL("postgres://postgres@localhost/x?host=/var/run/postgresql")
        #expect(socket.usesUnixSocket)
        #expect(socket.target == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(try DatabaseURL("postgres://u@[::1]:5433/d").target == "[::1]:5433")
    }

    @Test("the password never shows")
    func redaction() throws {
        let url = try DatabaseURL("postgres://pollster:hunter2@db:5432/registry")
        #expect(url.description == "postgres://pollster:***@db:5432/registry")
        #expect(!"\(url)".contains("hunter2"))
        #expect(DatabaseURL.redact("postgres://a:hunter2@h/d") == "postgres://a:***@h/d")
        #expect(DatabaseURL.redact("no url here") == "no url here")
    }

    @Test(
        "bad URLs are INVALID_CONFIG without the password",
        arguments: [
            "mysql://u:hunter2@h/d", "not a url", "postgres://u:hunter2@h/d?sslmode=sometimes",
            "postgres:///d",
        ])
    func invalid(text: String) {
        #expect {
            try DatabaseURL(text)
        } throws: { error in
            let error = error as? PollsterError
            return error?.code == .invalidConfig && error?.message.contains("hunter2") == false
        }
    }
}
