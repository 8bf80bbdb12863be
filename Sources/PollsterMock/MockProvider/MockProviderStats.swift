/// A snapshot of what the mock server has seen, from ``MockProviderServer/stats``.
public struct MockProviderStats: Sendable, Equatable {
    /// Submit requests that passed authentication (including ones answered with a `submitFault`).
    public var submissions: Int = 0
    /// Jobs created: submissions not answered with a `submitFault` (the provider jobs a client pays for).
    public var jobsCreated: Int = 0
    /// Submit requests that repeated an `Idempotency-Key` already seen: answered with that job,
    /// not counted in `submissions`.
    public var idempotentReplays: Int = 0
    /// Status requests received (including faulted ones and ones for unknown jobs).
    public var polls: Int = 0
    /// Requests to fal's `response_url` (including faulted ones).
    public var resultFetches: Int = 0
    /// File download requests (including faulted ones and thumbnails).
    public var downloads: Int = 0
    /// Redirect hops served under `/redirect/` (see ``MockJobScript/fileRedirects``).
    public var redirects: Int = 0
    /// Submissions per provider: `heygen`, `fal`, `runway`, `replicate`, `tencent-hunyuan`, `tencent-vod`,
    /// `jimeng`, `azure`, `azure-location`.
    public var submissionsByProvider: [String: Int] = [:]
    /// Status requests per job id.
    public var pollsByJob: [String: Int] = [:]
    /// Peak number of jobs submitted and not yet observed finished (a poll, a cancel answer or a
    /// `Prefer: wait` answer returned a terminal status).
    public var maxConcurrentJobs: Int = 0
    /// The last (at most 1000) requests received, oldest first.
    public var requests: [MockRecordedRequest] = []
}

/// One request the mock server received.
public struct MockRecordedRequest: Sendable, Equatable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The request target: path plus query, e.g. `/v1/video_status.get?video_id=ab12`.
    public var path: String
    /// Header names lowercased; repeated headers joined with `, `.
    public var headers: [String: String]
    /// The request body bytes.
    public var body: [UInt8]

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
