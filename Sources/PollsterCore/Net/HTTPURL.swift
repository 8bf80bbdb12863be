/// The parts of an http(s) URL that the engine needs: scheme, host, port, and the rest.
///
/// Deliberately small: it validates and compares origins; it does not normalise paths.
package struct HTTPURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lowercased.
    package var scheme: String
    /// The host, lowercased, without brackets for IPv6.
    package var host: String
    /// The explicit port, if any.
    package var port: Int?
    /// Path, query and fragment, starting with `/` (or empty).
    package var pathAndQuery: String

    /// Parses an absolute http(s) URL; nil otherwise (also for user-info, spaces, control characters).
    ///
    /// Works on the UTF-8 bytes (every delimiter is ASCII): it runs several times per request.
    package init?(_ text: String) {
        let utf8 = text.utf8
        guard !utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "\\") || $0 == 0x7F }),
            let colon = utf8.firstIndex(of: UInt8(ascii: ":")),
            utf8[colon...].starts(with: "://".utf8)
        else { return nil }
        let scheme = text[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let restStart = utf8.index(colon, offsetBy: 3)
        let authorityEnd =
            utf8[restStart...].firstIndex {
                $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#")
            } ?? utf8.endIndex
        var host = text[restStart..<authorityEnd]
        guard !host.isEmpty, !host.utf8.contains(UInt8(ascii: "@")) else { return nil }
        var port: Int?
        if host.utf8.first == UInt8(ascii: "[") {
            guard let close = host.utf8.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let after = host[host.utf8.index(after: close)...]
            if after.utf8.first == UInt8(ascii: ":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else { return nil }
                port = number
            } else if !after.isEmpty {
                return nil
            }
            host = host[host.utf8.index(after: host.startIndex)..<close]
        } else if let colon = host.utf8.lastIndex(of: UInt8(ascii: ":")) {
            guard let number = Int(host[host.utf8.index(after: colon)...]), (1...65535).contains(number)
            else {
                return nil
            }
            port = number
            host = host[..<colon]
        }
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        let tail = text[authorityEnd...]
        self.pathAndQuery = tail.utf8.first == UInt8(ascii: "/") || tail.isEmpty ? String(tail) : "/" + tail
    }

    /// The port in effect (explicit, or 80/443).
    package var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// `scheme://host:port`, the unit of trust for credentials.
    package var origin: String { "\(scheme)://\(hostForURL):\(effectivePort)" }

    /// True when both have the same `origin` (compared without building it).
    package func hasSameOrigin(as other: HTTPURL) -> Bool {
        scheme == other.scheme && host == other.host && effectivePort == other.effectivePort
    }

    /// The path alone, without query and fragment.
    package var path: String {
        String(pathAndQuery.prefix { $0 != "?" && $0 != "#" })
    }

    package var description: String {
        "\(scheme)://\(hostForURL)\(port.map { ":\($0)" } ?? "")\(pathAndQuery)"
    }

    private var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    /// Joins a configured endpoint to a base URL: absolute endpoints stand alone;
    /// relative ones are appended to the base (keeping the base's own path).
    package static func join(base: String?, _ endpoint: String) -> String {
        if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") { return endpoint }
        guard let base else { return endpoint }
        let trimmedBase = base.hasSuffix("/") ? String(base.dropLast()) : base
        if endpoint.isEmpty { return trimmedBase }
        return endpoint.hasPrefix("/") ? trimmedBase + endpoint : trimmedBase + "/" + endpoint
    }

    /// Resolves a URL found in a response (absolute, or absolute-path `/x`) against the
    /// URL it came from, as RFC 3986 does for these two forms.
    ///
    /// A reference with a scheme of its own (`HTTP://…`, `file:…`, `gopher:…`) stays absolute, its
    /// scheme lowercased, so a URL policy sees (and refuses) it rather than a relative path; a
    /// network-path reference (`//host/path`) takes the base's scheme.
    package static func resolve(_ reference: String, against base: String) -> String {
        if let colon = schemeEnd(reference) {
            return reference[..<colon].lowercased() + reference[colon...]
        }
        guard let baseURL = HTTPURL(base) else { return reference }
        if reference.hasPrefix("//") { return baseURL.scheme + ":" + reference }
        let origin = "\(baseURL.scheme)://\(baseURL.hostForURL)\(baseURL.port.map { ":\($0)" } ?? "")"
        let (referencePath, suffix) = splitSuffix(reference)
        if reference.hasPrefix("/") { return origin + removingDotSegments(referencePath) + suffix }
        let directory = baseURL.path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        return origin + removingDotSegments(directory + "/" + referencePath) + suffix
    }

    /// The index of the `:` ending a reference's scheme (RFC 3986: a letter, then letters,
    /// digits, `+`, `-` or `.`), or nil for a relative reference.
    private static func schemeEnd(_ reference: String) -> String.Index? {
        guard let first = reference.first, first.isASCII, first.isLetter,
            let colon = reference.firstIndex(of: ":")
        else { return nil }
        let scheme = reference[..<colon]
        let allowed = scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
        return allowed ? colon : nil
    }

    /// Splits `path?query#fragment` into the path and the rest.
    private static func splitSuffix(_ reference: String) -> (String, String) {
        guard let cut = reference.firstIndex(where: { $0 == "?" || $0 == "#" }) else {
            return (reference, "")
        }
        return (String(reference[..<cut]), String(reference[cut...]))
    }

    /// RFC 3986 section 5.2.4: resolves `.` and `..` segments of an absolute path.
    static func removingDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}
