import PollsterCore
import Testing

/// Error envelopes and the sizes and checksums providers state next to output URLs.
@Suite("Error envelopes and stated output integrity")
struct IntegrityAndEnvelopeTests {
    static let envelopeCases: [(body: JSONValue, expected: ErrorEnvelope.Verdict?)] = [
        ([:], nil),
        (["Response": ["RequestId": "r"]], nil),
        (["Response": ["Error": [:]]], nil),
        (
            ["Response": ["Error": ["Code": "RequestLimitExceeded", "Message": "slow down"]]],
            .rateLimited(code: "RequestLimitExceeded", message: "slow down")
        ),
        (
            ["Response": ["Error": ["Code": "RequestLimitExceeded.UinLimitExceeded", "Message": "m"]]],
            .rateLimited(code: "RequestLimitExceeded.UinLimitExceeded", message: "m")
        ),
        (
            ["Response": ["Error": ["Code": "InternalError.DbError", "Message": "m"]]],
            .transient(code: "InternalError.DbError", message: "m")
        ),
        (
            ["Response": ["Error": ["Code": "AuthFailure.SignatureFailure", "Message": "bad"]]],
            .failed(code: "AuthFailure.SignatureFailure", message: "bad")
        ),
        (["Response": ["Error": "just text"]], .failed(code: nil, message: "just text")),
    ]

    @Test("Tencent's default envelope classifies codes", arguments: envelopeCases)
    func tencentEnvelope(body: JSONValue, expected: ErrorEnvelope.Verdict?) {
        #expect(ErrorEnvelope.tencentCloud.verdict(in: body) == expected)
    }

    @Test("a configured envelope reads its own paths and code lists")
    func configuredEnvelope() throws {
        let envelope = try ErrorEnvelope(
            ErrorEnvelopeConfig(
                path: "error", codePath: "type", messagePath: "detail", rateLimitCodes: ["throttled"],
                transientCodes: ["overloaded*"]))
        #expect(
            envelope.verdict(in: ["error": ["type": "Throttled", "detail": "x"]])
                == .rateLimited(code: "Throttled", message: "x"))
        #expect(
            envelope.verdict(in: ["error": ["type": "overloaded_error", "detail": "y"]])
                == .transient(code: "overloaded_error", message: "y"))
        #expect(envelope.verdict(in: ["Response": ["Error": ["Code": "X"]]]) == nil)
    }

    @Test("a passing envelope makes a poll a retry, not a failure")
    func classifierPassingEnvelope() {
        let reading = StatusClassifier.defaults.classify(
            ["Response": ["Error": ["Code": "RequestLimitExceeded", "Message": "m"], "Status": "FINISH"]])
        #expect(reading.transientError == "RequestLimitExceeded: m")
        #expect(reading.phase != .failed && reading.phase != .succeeded)
    }

    static let sha = String(repeating: "ab", count: 32)
    static let md5 = String(repeating: "0f", count: 16)

    static let statedCases: [(object: JSONValue, size: Int?, md5: String?, sha256: String?)] = [
        (["url": "https://c.test/a.mp4", "file_size": 1234], 1234, nil, nil),
        (["url": "https://c.test/a.mp4", "sizeInBytes": 99, "md5": .string(md5)], 99, md5, nil),
        (["url": "https://c.test/a.mp4", "checksum": .string("sha256:" + sha)], nil, nil, sha),
        // base64 of sixteen 0x0f bytes
        (["url": "https://c.test/a.mp4", "md5Hash": "Dw8PDw8PDw8PDw8PDw8PDw=="], nil, md5, nil),
        // a size that is not a positive integer is not a size
        (["url": "https://c.test/a.png", "size": "1024x1024", "bytes": 0], nil, nil, nil),
        // two URLs in one object: the size could belong to either, so none is read
        (["url": "https://c.test/a.mp4", "thumbnail_url": "https://c.test/t.jpg", "size": 5], nil, nil, nil),
        (["url": "https://c.test/a.mp4", "sha256": "not-a-digest"], nil, nil, nil),
    ]

    @Test("sizes and checksums next to a URL are read", arguments: statedCases)
    func stated(object: JSONValue, size: Int?, md5: String?, sha256: String?) throws {
        let members = try #require(object.objectValue)
        let stated = StatedIntegrity.read(from: members, at: JSONPath([.key("video")]))
        #expect(stated.size?.value == size)
        #expect(stated.md5?.value == md5)
        #expect(stated.sha256?.value == sha256)
    }

    @Test("the output finder attaches what is stated next to each URL")
    func finderAttaches() {
        let result: JSONValue = [
            "video": ["url": "https://c.test/a.mp4", "file_size": 42, "content_type": "video/mp4"]
        ]
        let found = OutputFinder.find(in: result)
        #expect(found.first?.stated.size?.value == 42)
        #expect(found.first?.stated.size?.field == "video.file_size")
    }

    @Test("a success whose error says canceled is canceled")
    func canceledSuccess() {
        let reading = StatusClassifier.defaults.classify([
            "status": "COMPLETED", "error": "Request was cancelled",
        ])
        #expect(reading.phase == .canceled)
        #expect(reading.message == "Request was cancelled")
    }

    @Test("a failure without errorPath finds a message in the usual fields")
    func failureMessageFallback() {
        let nested = StatusClassifier.defaults.classify([
            "status": "failed", "data": ["message": "quota exceeded"],
        ])
        #expect(nested.message == "quota exceeded")
        let top = StatusClassifier.defaults.classify(["data": ["status": "failed"], "reason": "bad prompt"])
        #expect(top.message == "bad prompt")
    }
}
