import Foundation
import NIOSSL
import PollsterCore
import PostgresNIO

/// A PostgreSQL connection URL: `postgres://user:password@host:5432/database?sslmode=prefer`.
///
/// `description` never shows the password, so the value can be logged and quoted in errors.
/// `sslmode` is `disable`, `prefer` (default), `require` (encrypted, certificate not checked,
/// as libpq does), `verify-ca` or `verify-full`. A `host=/path` query item connects through
/// the Unix socket in that directory instead of TCP.
///
/// ```swift
/// let url = try DatabaseURL("postgres://pollster:s3cret@db.internal/pollster")
/// print(url)  // postgres://pollster:***@db.internal:5432/pollster
/// ```
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// TLS use, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The host name or address (or the socket directory with `host=/path`).
    public var host: String
    /// The TCP port (also names the Unix socket file).
    public var port: Int
    /// The user name.
    public var username: String
    /// The password, if any. Never part of `description`.
    public var password: String?
    /// The database name.
    public var database: String
    /// TLS use.
    public var tlsMode: TLSMode

    /// Parses a `postgres://` or `postgresql://` URL.
    /// - Throws: `INVALID_CONFIG` naming what is wrong (without the password).
    public init(_ text: String) throws(PollsterError) {
        let redacted = Self.redact(text)
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw PollsterError(
                .invalidConfig,
                "database URL '\(redacted)' is not valid; use postgres://user:password@host:5432/database")
        }
        let items = components.queryItems ?? []
        let socketDirectory = items.first { $0.name == "host" }?.value
        var host = socketDirectory ?? components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw PollsterError(.invalidConfig, "database URL '\(redacted)' has no host; add one after '@'")
        }
        self.host = host
        port = components.port ?? 5432
        username = components.user ?? "postgres"
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : path
        let mode = items.first { $0.name == "sslmode" }?.value ?? TLSMode.prefer.rawValue
        guard let tlsMode = TLSMode(rawValue: mode) else {
            throw PollsterError(
                .invalidConfig,
                "database URL '\(redacted)': sslmode '\(mode)' is not supported; use one of "
                    + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.tlsMode = tlsMode
    }

    /// True when `host` is a Unix socket directory.
    public var usesUnixSocket: Bool { host.hasPrefix("/") }

    /// `host:port` (or the socket path), for messages.
    public var target: String {
        usesUnixSocket ? "\(host)/.s.PGSQL.\(port)" : "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let credentials = username + (password == nil ? "" : ":***")
        let location = usesUnixSocket ? "localhost:\(port)" : target
        let socket = usesUnixSocket ? "?host=\(host)" : ""
        return "postgres://\(credentials)@\(location)/\(database)\(socket)"
    }

    /// The same URL for another database on the same server (tests, `CREATE DATABASE`).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The PostgresNIO client configuration.
    public var clientConfiguration: PostgresClient.Configuration {
        if usesUnixSocket {
            return PostgresClient.Configuration(
                unixSocketPath: target, username: username, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS =
            switch tlsMode {
            case .disable: .disable
            case .prefer: .prefer(tlsConfiguration)
            case .require, .verifyCA, .verifyFull: .require(tlsConfiguration)
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The configuration of one standalone connection (the reachability check, tests).
    /// - Throws: `INVALID_CONFIG` when the TLS context cannot be created.
    public func connectionConfiguration() throws(PollsterError) -> PostgresConnection.Configuration {
        if usesUnixSocket {
            return PostgresConnection.Configuration(
                unixSocketPath: target, username: username, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require, .verifyCA, .verifyFull:
                tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
        } catch {
            throw PollsterError(.invalidConfig, "\(self): cannot set up TLS (\(error)); try sslmode=disable")
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification =
            switch tlsMode {
            case .disable, .prefer, .require: .none
            case .verifyCA: .noHostnameVerification
            case .verifyFull: .fullVerification
            }
        return configuration
    }

    /// `text` with the password of a URL-like string replaced by `***` (for messages about bad URLs).
    public static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"),
            let at = text[scheme.upperBound...].lastIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
