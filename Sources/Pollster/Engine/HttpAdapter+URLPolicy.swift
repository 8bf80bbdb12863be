import PollsterCore

extension HttpAdapter {
    /// Checks a URL that came from a provider's answer (a status, result or cancel URL, a
    /// `Location`-style header) before anything is sent to it.
    ///
    /// The provider's own origin (its `baseUrl`) passes; any other URL must pass the same
    /// policy as downloads (http(s) only, every address public unless private networks are
    /// allowed), so an answer cannot steer API calls to loopback, link-local or private hosts.
    /// - Throws: `UNSAFE_URL`; nothing was sent.
    func checkResponseURL(_ url: String, builder: RequestBuilder, purpose: String) async throws {
        guard let parsed = HTTPURL(url), parsed.origin == builder.providerOrigin else {
            _ = try await downloader.policy.check(url, allowHosts: nil, purpose: purpose)
            return
        }
    }

    /// `checkResponseURL` for an invocation's own builder.
    func checkResponseURL(_ run: Invocation, _ url: String, key: String) async throws {
        try await checkResponseURL(url, builder: run.builder, purpose: "send the \(key) request to")
    }
}
