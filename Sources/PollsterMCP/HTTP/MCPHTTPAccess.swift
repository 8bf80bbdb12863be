import Foundation
import MCP

/// Who may use the Streamable HTTP endpoint: an optional bearer token every request must
/// carry, and the `Host`/`Origin` values accepted besides loopback's (DNS-rebinding
/// protection, as the MCP spec requires).
public struct MCPHTTPAccess: Sendable {
    /// When set, every request needs `Authorization: Bearer <token>` (else 401).
    public var bearerToken: String?
    /// `Host` header values accepted besides `127.0.0.1`, `localhost` and `[::1]` (any port),
    /// e.g. `mcp.example.com` or `mcp.example.com:443`; a bare name accepts any port.
    public var allowedHosts: [String]
    /// `Origin` header values accepted besides loopback's, e.g. `https://app.example.com`.
    public var allowedOrigins: [String]

    /// Access rules; the default accepts loopback callers without a token.
    public init(bearerToken: String? = nil, allowedHosts: [String] = [], allowedOrigins: [String] = []) {
        self.bearerToken = bearerToken
        self.allowedHosts = allowedHosts
        self.allowedOrigins = allowedOrigins
    }

    /// The 401 for a request without the token, or nil when it may pass.
    func refusal(_ request: MCP.HTTPRequest) -> MCP.HTTPResponse? {
        guard let bearerToken else { return nil }
        let sent = Array((request.header("Authorization") ?? "").utf8)
        let expected = Array("Bearer \(bearerToken)".utf8)
        // Every byte is compared, so the time taken says nothing about how much matched.
        var difference = sent.count ^ expected.count
        for (index, byte) in expected.enumerated() {
            difference |= Int(byte ^ (index < sent.count ? sent[index] : 0))
        }
        if difference == 0 { return nil }
        return .error(
            statusCode: 401,
            .invalidRequest(
                "Unauthorized: send Authorization: Bearer <token> (the server's POLLSTER_MCP_TOKEN)"),
            extraHeaders: ["WWW-Authenticate": "Bearer"])
    }

    /// The SDK's checks with this access's hosts and origins added to loopback's.
    var validationPipeline: StandardValidationPipeline {
        let loopback = OriginValidator.localhost()
        let hosts = allowedHosts.map { $0.contains(":") && !$0.hasPrefix("[") ? $0 : "\($0):*" }
        return StandardValidationPipeline(validators: [
            OriginValidator(
                allowedHosts: loopback.allowedHosts + hosts + allowedHosts,
                allowedOrigins: loopback.allowedOrigins + allowedOrigins),
            AcceptHeaderValidator(mode: .sseRequired),
            ContentTypeValidator(),
            ProtocolVersionValidator(),
            SessionValidator(),
        ])
    }
}
