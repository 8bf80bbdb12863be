/// The Tencent Cloud key pair the mock server accepts on its Tencent routes.
///
/// Pass it to ``MockProviderServer/start(port:defaultScript:tencentCredentials:)``; requests signed
/// with another SecretId get `AuthFailure.SecretIdNotFound`, with another SecretKey
/// `AuthFailure.SignatureFailure`.
public struct MockTencentCredentials: Sendable, Equatable {
    /// The SecretId clients put in `Credential=…` of the `Authorization` header.
    public var secretId: String
    /// The SecretKey the signature is computed with.
    public var secretKey: String

    /// Creates a key pair; the defaults are the mock's standard test credentials.
    /// - Parameters:
    ///   - secretId: the accepted SecretId.
    ///   - secretKey: the SecretKey signatures are checked against.
    public init(secretId: String = "AKIDmockSECRETID", secretKey: String = "mockSecretKey") {
        self.secretId = secretId
        self.secretKey = secretKey
    }
}
