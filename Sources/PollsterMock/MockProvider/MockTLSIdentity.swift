import NIOSSL

/// The certificate and private key a `MockProviderServer` serves HTTPS with (PEM files), so a
/// client can be tried over TLS as against a real provider.
public struct MockTLSIdentity: Sendable {
    /// The certificate chain, leaf first.
    public var certificateFile: String
    /// The leaf's private key.
    public var privateKeyFile: String

    /// An identity from its two files.
    public init(certificateFile: String, privateKeyFile: String) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }

    /// The server side's TLS context.
    func serverContext() throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map {
            NIOSSLCertificateSource.certificate($0)
        }
        let key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        return try NIOSSLContext(
            configuration: TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(key)))
    }
}
