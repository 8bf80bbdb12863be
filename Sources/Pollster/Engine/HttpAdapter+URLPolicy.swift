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
        guard let parsed = HTTPURL(url), builder.isProviderOrigin(parsed) else {
            _ = try await downloader.policy.check(url, allowHosts: nil, purpose: purpose)
            return
        }
    }

    /// `checkResponseURL` for a job's status or result URL (`parsed`: the same, parsed), once per
    /// origin: a URL on the provider's origin, or on the origin checked last for this job, is
    /// not checked again.
    func checkResponseURL(
        _ url: String, parsed: HTTPURL?, _ stage: inout JobState.Stage, key: String
    ) async throws {
        guard let parsed, !stage.run.builder.isProviderOrigin(parsed) else { return }
        let origin = parsed.origin
        guard origin != stage.checkedOrigin else { return }
        _ = try await downloader.policy.check(url, allowHosts: nil, purpose: "send the \(key) request to")
        stage.checkedOrigin = origin
    }
}
