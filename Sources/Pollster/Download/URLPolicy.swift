import Foundation
import NIOPosix
import PollsterCore

/// Which URLs outputs may be downloaded from (the SSRF policy).
///
/// Only http(s). Every address the host resolves to must be public, unless private
/// networks are allowed (tests, the demo, on-prem providers). Checked on every redirect hop.
public struct URLPolicy: Sendable {
    /// Allow loopback, private, link-local and unique-local addresses.
    public var allowPrivateNetworks: Bool
    /// Redirect hops followed at most.
    public var maxRedirects: Int

    /// A policy.
    public init(allowPrivateNetworks: Bool = false, maxRedirects: Int = 5) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.maxRedirects = maxRedirects
    }

    /// Checks `url` and the addresses of its host.
    /// - Parameters:
    ///   - allowHosts: the only hosts allowed, when given.
    ///   - purpose: what was about to happen, for the message (`download`, `send the status request to`).
    /// - Throws: `UNSAFE_URL` saying which rule refused it.
    package func check(_ url: String, allowHosts: [String]?, purpose: String = "download") async throws
        -> HTTPURL
    {
        let shown = Redactor.stripQuery(url)
        guard let parsed = HTTPURL(url) else {
            throw PollsterError(
                .unsafeURL, "refused to \(purpose) '\(shown)': only absolute http(s) URLs are allowed")
        }
        if let allowHosts, !allowHosts.contains(where: { Self.host(parsed.host, matches: $0) }) {
            throw PollsterError(
                .unsafeURL,
                "refused to \(purpose) '\(shown)': host \(parsed.host) is not in output.allowHosts (\(allowHosts.joined(separator: ", ")))"
            )
        }
        guard !allowPrivateNetworks else { return parsed }
        let addresses: [IPAddress]
        if let literal = IPAddress(parsed.host) {
            addresses = [literal]
        } else {
            addresses = try await Self.resolve(parsed.host)
            guard !addresses.isEmpty else {
                throw PollsterError(.downloadFailed, "could not resolve host \(parsed.host) of '\(shown)'")
            }
        }
        for address in addresses {
            if let reason = AddressPolicy.nonPublicReason(address) {
                throw PollsterError(
                    .unsafeURL,
                    "refused to \(purpose) '\(shown)': \(parsed.host) resolves to \(address), a \(reason) address; allow private networks only for trusted on-prem providers"
                )
            }
        }
        return parsed
    }

    /// `*.example.com` matches subdomains; anything else matches exactly (case-insensitively).
    static func host(_ host: String, matches pattern: String) -> Bool {
        let pattern = pattern.lowercased()
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) }
        return host == pattern
    }

    /// Every address of a host name (getaddrinfo on NIO's thread pool).
    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)  // an enum in Glibc
            #else
                hints.ai_socktype = SOCK_STREAM  // a macro (Int32) on Darwin
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
            defer { freeaddrinfo(list) }
            var addresses: [IPAddress] = []
            var node: UnsafeMutablePointer<addrinfo>? = first
            while let current = node {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count),
                    nil, 0,
                    NI_NUMERICHOST) == 0,
                    let address = IPAddress(
                        String(
                            decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                {
                    addresses.append(address)
                }
                node = current.pointee.ai_next
            }
            return addresses
        }
    }
}
