import Testing

@testable import PollsterMock

/// What a recorded credential header keeps: the scheme word, placeholders, and a signature's
/// credential scope; never a key or a signature.
@Suite("Recorded credential headers")
struct FixtureRedactorCredentialTests {
    static let cases: [(String, String)] = [
        ("Bearer r8_live_abc", "Bearer [REDACTED]"),
        ("Bearer ${REPLICATE_API_TOKEN}", "Bearer ${REPLICATE_API_TOKEN}"),
        (
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea",
            "TC3-HMAC-SHA256 Credential=[REDACTED]/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=[REDACTED]"
        ),
        (
            "HMAC-SHA256 Credential=AKLTlive/20240720/cn-north-1/cv/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=314dbb7e",
            "HMAC-SHA256 Credential=[REDACTED]/20240720/cn-north-1/cv/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=[REDACTED]"
        ),
        (
            "HMAC-SHA256 Credential=${VOLC_ACCESSKEY}/20240720/cn-north-1/cv/request, SignedHeaders=host, Signature=ab",
            "HMAC-SHA256 Credential=${VOLC_ACCESSKEY}/20240720/cn-north-1/cv/request, SignedHeaders=host, Signature=[REDACTED]"
        ),
    ]

    @Test("signatures keep their scope, lose their key id and signature", arguments: cases)
    func credential(header: String, recorded: String) {
        #expect(FixtureRedactor.credential(header) == recorded)
    }
}
