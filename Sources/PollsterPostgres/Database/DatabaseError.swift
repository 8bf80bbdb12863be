import PollsterCore
import PostgresNIO

/// Turns PostgresNIO errors into `PollsterError`s that say what to fix, without the password.
package enum DatabaseError {
    /// A `PollsterError` for `error`, raised while `action` against `url`.
    ///
    /// - Connection problems and server errors: `TRANSPORT_ERROR` naming `host:port`.
    /// - A missing registry table: `INVALID_CONFIG` asking for `pollster db migrate`.
    package static func wrap(_ error: any Error, _ action: String, url: DatabaseURL) -> PollsterError {
        wrap(error, action, url: url, migrating: false)
    }

    private static func wrap(_ error: any Error, _ action: String, url: DatabaseURL, migrating: Bool)
        -> PollsterError
    {
        if let error = error as? PollsterError { return error }
        if let transaction = error as? PostgresTransactionError,
            let cause = transaction.closureError ?? transaction.beginError ?? transaction.commitError
        {
            return wrap(cause, action, url: url, migrating: migrating)
        }
        if let failure = error as? MigrationFailure {
            return wrap(
                failure.underlying, "\(action) (\(failure.migration.name))", url: url, migrating: true)
        }
        let redactor = Redactor(secrets: [url.password].compactMap { $0 })
        let place = "PostgreSQL at \(url.target) (database \(url.database))"
        guard let psql = error as? PSQLError else {
            return PollsterError(
                .transportError, redactor.redact("\(place), \(action): \(Self.short(error))"))
        }
        if let server = psql.serverInfo {
            let state = server[.sqlState] ?? ""
            let message = server[.message] ?? "error"
            let detail = server[.detail].map { " (\($0))" } ?? ""
            let (code, advice) = migrating ? (.transportError, "") : Self.advice(sqlState: state, url: url)
            return PollsterError(
                code, redactor.redact("\(place), \(action): error \(state): \(message)\(detail)\(advice)"))
        }
        let cause = psql.underlying.map(Self.short) ?? psql.code.description
        let advice: String =
            switch psql.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown:
                "; check --database-url (or POLLSTER_DATABASE_URL) and that the server is running"
            case .sslUnsupported: "; the server does not offer TLS: add ?sslmode=disable to the URL"
            case .authMechanismRequiresPassword: "; add the password to the URL"
            default: ""
            }
        return PollsterError(.transportError, redactor.redact("\(place), \(action): \(cause)\(advice)"))
    }

    private static func advice(sqlState: String, url: DatabaseURL) -> (PollsterError.Code, String) {
        switch sqlState {
        case "42P01", "42703":
            (.invalidConfig, "; run `pollster db migrate --database-url URL` to create or update the tables")
        case "28P01", "28000":
            (.transportError, "; check the user '\(url.username)' and password in the database URL")
        case "3D000": (.transportError, "; create the database '\(url.database)' or fix the URL")
        default: (.transportError, "")
        }
    }

    /// The first line of an error's description, at most 300 characters.
    static func short(_ error: any Error) -> String {
        let text = String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
