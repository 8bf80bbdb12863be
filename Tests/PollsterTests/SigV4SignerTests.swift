import Foundation
import Pollster
import Testing

/// Signature v4 against AWS's published test vectors (the algorithm Volcengine shares), and
/// Volcengine's names on a request computed independently (Python's `hmac`/`hashlib`).
@Suite("Signature v4 (Volcengine) signing")
struct SigV4SignerTests {
    /// AWS's example credentials and time (sig-v4 test suite: 2015-08-30T12:36:00Z).
    static let aws = SigV4Signer.Credentials(
        accessKeyId: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "service")
    static let awsTime = Date(timeIntervalSince1970: 1_440_938_160)

    static func authorization(_ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == "Authorization" }?.value
    }

    @Test(
        "AWS's get-vanilla vectors: the signature, and query parameters sorted before signing",
        arguments: [
            ("", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            (
                "Param2=value2&Param1=value1",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
            ),
        ])
    func awsVectors(query: String, signature: String) {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: query, headers: [("Host", "example.amazonaws.com")], body: [])
        let headers = SigV4Signer.headers(
            for: request, scheme: .aws, credentials: Self.aws, date: Self.awsTime)
        #expect(headers.first?.name == "X-Amz-Date" && headers.first?.value == "20150830T123600Z")
        #expect(
            Self.authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(signature)"
        )
    }

    @Test(
        "Volcengine: X-Date, X-Content-Sha256 and the request/ scope, as an independent signer computes them")
    func volcengine() {
        let body = Array(#"{"req_key":"jimeng_high_aes_general_v21_L","prompt":"a lighthouse"}"#.utf8)
        let request = SigV4Signer.Request(
            method: "POST", path: "/", query: "Version=2022-08-31&Action=CVSync2AsyncSubmitTask",
            headers: [("Content-Type", "application/json"), ("Host", "visual.volcengineapi.com")], body: body)
        let headers = SigV4Signer.headers(
            for: request, scheme: .volcengine,
            credentials: SigV4Signer.Credentials(
                accessKeyId: "AKLTexample", secretKey: "c2VjcmV0ZXhhbXBsZQ==", region: "cn-north-1",
                service: "cv"),
            date: Date(timeIntervalSince1970: 1_721_471_979))
        #expect(headers.map(\.name) == ["X-Date", "X-Content-Sha256", "Authorization"])
        #expect(headers[0].value == "20240720T103939Z")
        #expect(headers[1].value == "c0dcd019e71ecf6902f1de8bf29cdd73c4a076597aeb4cfa55aa5013f29efaaf")
        #expect(
            headers[2].value
                == "HMAC-SHA256 Credential=AKLTexample/20240720/cn-north-1/cv/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=314dbb7eb1fc824076bd3bba18f6c6877336f32fa7905a43fa59aaf2b9be6d33"
        )
    }
}
