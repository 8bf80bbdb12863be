/// How one mock job behaves: how long it runs, how it ends, what it outputs and which faults it serves.
///
/// Enqueue a script with ``MockProviderServer/enqueue(_:)``; the next submitted job follows it.
///
/// ```swift
/// server.enqueue(MockJobScript(polls: 3, faults: [1: .rateLimited(retryAfterSeconds: 1)]))
/// ```
public struct MockJobScript: Sendable {
    /// The job finishes on this status poll (1-based, faulted polls not counted); 0 = finished at once.
    public var polls: Int
    /// When set, the job finishes once this much time has passed since submit, whatever the poll count.
    public var duration: Duration?
    /// How the job ends.
    public var outcome: MockOutcome
    /// Kind, size and number of output files.
    public var output: MockOutput
    /// Status-poll number (1-based, counting every status request) → fault served instead of the answer.
    ///
    /// A faulted poll does not count toward ``polls``.
    public var faults: [Int: MockFault]
    /// A fault served for the submit request itself; no job is created.
    public var submitFault: MockFault?
    /// A fault served instead of the submit's answer *after* the job was created: the answer
    /// is lost, the job (which a client pays for) exists.
    public var lostSubmitAnswer: MockFault?
    /// A fault served for every request to fal's `response_url` or an Azure `resourceLocation` of this job.
    public var resultFault: MockFault?
    /// A fault served for every download of this job's files.
    public var fileFault: MockFault?
    /// Download request number (1-based, counting every request for this job's output files) → fault.
    public var fileFaults: [Int: MockFault]
    /// Result request number (1-based) → fault, for fal's `response_url` and Azure's `resourceLocation`.
    public var resultFaults: [Int: MockFault]
    /// Serve the files without a `Content-Type` header (exercises magic-byte sniffing).
    public var omitContentType: Bool
    /// Redirect hops before each output file: output URLs point at `/redirect/{n}/{file}`, which answers
    /// ``fileRedirectStatus`` with a `Location` one hop closer, until `/redirect/1/…` points at `/files/{file}`.
    ///
    /// The `Location` forms cycle by hop number: `n % 3 == 2` absolute (`http://127.0.0.1:PORT/…`),
    /// `n % 3 == 1` root-relative (`/files/…`), `n % 3 == 0` path-relative (`../../…`).
    public var fileRedirects: Int
    /// The `Location` of the last redirect hop instead of the file, e.g.
    /// `http://169.254.169.254/latest/meta-data` (SSRF tests). When set, there is at least one hop.
    public var fileRedirectTarget: String?
    /// The status of redirect answers (301, 302, 303, 307 or 308).
    public var fileRedirectStatus: Int
    /// The `Retry-After` header (seconds) on Azure-style 202 answers and running operation polls;
    /// nil leaves the header out.
    public var retryAfterSeconds: Int?

    /// Creates a script; every parameter has a default (a job that succeeds on the second poll with one MP4).
    /// - Parameters:
    ///   - polls: the status poll on which the job finishes (0 = at once).
    ///   - duration: finish after this much time instead of counting polls.
    ///   - outcome: how the job ends.
    ///   - output: the output files.
    ///   - faults: poll number → fault.
    ///   - submitFault: fault for the submit request.
    ///   - resultFault: fault for fal's result request.
    ///   - fileFault: fault for file downloads.
    ///   - omitContentType: serve files without `Content-Type`.
    ///   - fileRedirects: redirect hops before each output file.
    ///   - fileRedirectTarget: the `Location` of the last hop instead of the file.
    ///   - fileRedirectStatus: the status of redirect answers.
    ///   - retryAfterSeconds: `Retry-After` on Azure-style 202 answers (nil = no header).
    public init(
        polls: Int = 2,
        duration: Duration? = nil,
        outcome: MockOutcome = .success,
        output: MockOutput = .init(),
        faults: [Int: MockFault] = [:],
        submitFault: MockFault? = nil,
        resultFault: MockFault? = nil,
        fileFault: MockFault? = nil,
        omitContentType: Bool = false,
        fileRedirects: Int = 0,
        fileRedirectTarget: String? = nil,
        fileRedirectStatus: Int = 302,
        retryAfterSeconds: Int? = 1,
        fileFaults: [Int: MockFault] = [:],
        resultFaults: [Int: MockFault] = [:]
    ) {
        self.polls = polls
        self.duration = duration
        self.outcome = outcome
        self.output = output
        self.faults = faults
        self.submitFault = submitFault
        self.resultFault = resultFault
        self.fileFault = fileFault
        self.omitContentType = omitContentType
        self.fileRedirects = fileRedirects
        self.fileRedirectTarget = fileRedirectTarget
        self.fileRedirectStatus = fileRedirectStatus
        self.retryAfterSeconds = retryAfterSeconds
        self.fileFaults = fileFaults
        self.resultFaults = resultFaults
    }

    /// The number of redirect hops output URLs go through.
    var redirectHops: Int {
        max(fileRedirects, fileRedirectTarget == nil ? 0 : 1)
    }
}

/// How a mock job ends.
public enum MockOutcome: Sendable, Equatable {
    /// The provider's success word, with output URLs.
    case success
    /// The provider's failure word and error fields carrying `message`.
    case failure(message: String)
    /// The status field holds this value on every answer; the job never reaches a terminal state.
    case unknownStatus(String)
    /// The provider's canceled word.
    case canceled
}

/// The output files of a successful mock job.
public struct MockOutput: Sendable, Equatable {
    /// The file type (decides magic bytes and `Content-Type`).
    public var kind: MockFileKind
    /// The size of each file in bytes.
    public var size: Int
    /// How many files the job outputs (0 = a success without outputs).
    public var count: Int

    /// Creates an output description.
    /// - Parameters:
    ///   - kind: the file type.
    ///   - size: bytes per file.
    ///   - count: number of files.
    public init(kind: MockFileKind = .mp4, size: Int = 4096, count: Int = 1) {
        self.kind = kind
        self.size = size
        self.count = count
    }
}
