import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PollsterCore

/// Requires `Authorization: Bearer <key>` on every request except health, metrics and the
/// OpenAPI document; sets `Tenant.current` for the handlers. Without a key store (`--no-auth`)
/// every caller is the tenant `local`.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: (any ServerStore)?

    static var publicPaths: Set<String> { ["/healthz", "/readyz", "/openapi.yaml", "/metrics"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let keys else {
            // Without keys only this machine may call; a web page that rebinds its own name to
            // 127.0.0.1 still sends its own name as Host, and is refused.
            guard Self.isLoopback(authority: request.head.authority) else {
                throw APIProblem(
                    .misdirectedRequest, code: "FORBIDDEN",
                    "--no-auth serves loopback callers only; the Host \(request.head.authority ?? "-") is not 127.0.0.1, localhost or [::1]"
                )
            }
            return try await Tenant.$current.withValue(Tenant(name: "local")) {
                try await next(request, context)
            }
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            case let key = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !key.isEmpty
        else {
            throw APIProblem.unauthorized("send Authorization: Bearer <key> (pollster keys create)")
        }
        guard let tenant = try await keys.tenant(forKeyHash: APIKeys.hash(key)) else {
            throw APIProblem.unauthorized("unknown API key")
        }
        let needed: Tenant.Scope = request.method == .post ? .toolsInvoke : .tasksRead
        guard tenant.scopes.contains(needed) else {
            throw APIProblem(.forbidden, code: "FORBIDDEN", "this key lacks the scope \(needed.rawValue)")
        }
        return try await Tenant.$current.withValue(tenant) { try await next(request, context) }
    }

    /// Whether a request's authority (`Host`) names this machine.
    static func isLoopback(authority: String?) -> Bool {
        guard let authority else { return true }  // HTTP/1.0 without Host: a local tool
        let host: Substring
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<end]
        } else {
            host = authority.split(separator: ":", maxSplits: 1).first ?? ""
        }
        return AddressPolicy.isLoopback(host: String(host))
    }
}

/// Making and hashing API keys.
public enum APIKeys {
    /// A new random key: `pk_` and 32 random bytes in base64url.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "pk_" + text
    }

    /// The hex SHA-256 of a key: all a store keeps.
    public static func hash(_ key: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(key.utf8)))
    }
}
