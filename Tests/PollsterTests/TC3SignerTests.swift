import Pollster
import Testing

/// TC3-HMAC-SHA256 against the worked example in Tencent Cloud's signing documentation.
@Suite("TC3 signing")
struct TC3SignerTests {
    static let example = TC3Signer.Request(
        method: "POST", path: "/", query: "", contentType: "application/json; charset=utf-8",
        host: "cvm.tencentcloudapi.com",
        body: Array(
            #"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#.utf8))

    @Test("the documented example's signature")
    func documentedSignature() {
        let signature = TC3Signer.signature(
            Self.example, secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", service: "cvm",
            timestamp: 1_551_113_065)
        #expect(signature == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    }

    @Test("the Authorization header names the credential scope and signed headers")
    func authorizationHeader() {
        let header = TC3Signer.authorization(
            Self.example, secretId: "AKIDEXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service: "cvm",
            timestamp: 1_551_113_065)
        #expect(
            header
                == "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        )
    }

    @Test("any change to the body changes the signature")
    func bodyIsSigned() {
        var changed = Self.example
        changed.body = Array(#"{"Limit": 2}"#.utf8)
        let original = TC3Signer.signature(Self.example, secretKey: "k", service: "cvm", timestamp: 1)
        #expect(TC3Signer.signature(changed, secretKey: "k", service: "cvm", timestamp: 1) != original)
    }
}
