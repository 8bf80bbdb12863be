import Foundation
import NIOHTTP1
import PollsterCore

/// What a durable task must keep once the provider has accepted its job: enough to resume
/// polling after a crash, in another process, without submitting again.
///
/// It holds the accepted submit response itself, so a resumed invocation detects the task id
/// and status URL exactly as the first one did.
public struct TaskCheckpoint: Sendable, Codable, Equatable {
    /// The provider's task id, when one was detected.
    public var providerTaskId: String?
    /// The URL the job was submitted to (relative status URLs resolve against it), with
    /// credentials masked (`Redactor.redactURL`): it is stored and printed. Resolving a
    /// relative URL uses only its scheme, host and path, which masking keeps.
    public var submitURL: String
    /// When the provider accepted the job; `polling.maxWaitSeconds` counts from here.
    public var submittedAt: Date
    /// The submit response's HTTP status.
    public var status: Int
    /// The submit response's headers, in order (name, value).
    public var headers: [[String]]
    /// The submit response's body.
    public var body: [UInt8]
    /// The job's final result, once it succeeded at the provider (outputs not yet downloaded).
    public var result: JSONValue?
    /// True when `body` is the job as `submit.reconcile.lookup` found it (the submit's own
    /// answer was lost), so its task id is read with the lookup's `taskIdPath`.
    public var foundByReference: Bool
    /// Where polling stood when the checkpoint was last saved (the polling machine's progress):
    /// a resumed job goes on from it.
    package var polling: PollMachine.Progress?

    /// A checkpoint from an accepted submit response (or the job a lookup found in its place).
    public init(
        providerTaskId: String?, submitURL: String, submittedAt: Date, response: TransportResponse,
        foundByReference: Bool = false
    ) {
        self.providerTaskId = providerTaskId
        self.foundByReference = foundByReference
        self.submitURL = Redactor.redactURL(submitURL)
        self.submittedAt = submittedAt
        self.status = response.status
        self.headers = response.headers.map { [$0.name, $0.value] }
        self.body = response.body
    }

    enum CodingKeys: String, CodingKey {
        case providerTaskId, submitURL, submittedAt, status, headers, body, result, foundByReference, polling
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        providerTaskId = try c.decodeIfPresent(String.self, forKey: .providerTaskId)
        submitURL = Redactor.redactURL(try c.decode(String.self, forKey: .submitURL))
        submittedAt = try c.decode(Date.self, forKey: .submittedAt)
        status = try c.decode(Int.self, forKey: .status)
        headers = try c.decode([[String]].self, forKey: .headers)
        body = Array(try c.decode(Data.self, forKey: .body))
        result = try c.decodeIfPresent(JSONValue.self, forKey: .result)
        foundByReference = try c.decodeIfPresent(Bool.self, forKey: .foundByReference) ?? false
        polling = try c.decodeIfPresent(PollMachine.Progress.self, forKey: .polling)
    }

    /// Encodes the body as base64.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(providerTaskId, forKey: .providerTaskId)
        try c.encode(submitURL, forKey: .submitURL)
        try c.encode(submittedAt, forKey: .submittedAt)
        try c.encode(status, forKey: .status)
        try c.encode(headers, forKey: .headers)
        try c.encode(Data(body), forKey: .body)
        try c.encodeIfPresent(result, forKey: .result)
        if foundByReference { try c.encode(true, forKey: .foundByReference) }
        try c.encodeIfPresent(polling, forKey: .polling)
    }

    /// The submit response as it arrived.
    var response: TransportResponse {
        TransportResponse(
            status: status, headers: HTTPHeaders(headers.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }),
            body: body)
    }
}
