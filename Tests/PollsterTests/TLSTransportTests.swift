import Foundation
import Logging
import Pollster
import PollsterCore
import PollsterMock
import PollsterTesting
import Testing

/// A whole job over HTTPS — submit, polls and download — against the mock serving TLS with a
/// self-signed certificate (`Tests/Fixtures/tls`), trusted through
/// `HTTPClientTransport.Configuration.trustedCertificatesFile` or not at all.
@Suite("HTTPS transport", .timeLimit(.minutes(1)))
struct TLSTransportTests {
    static let identity = MockTLSIdentity(
        certificateFile: "\(Repository.fixtures)/tls/loopback-cert.pem",
        privateKeyFile: "\(Repository.fixtures)/tls/loopback-key.pem")

    /// Runs `body` with an engine on a transport made from `configuration` and the mock over TLS.
    func withTLSMock<T>(
        _ configuration: HTTPClientTransport.Configuration,
        _ body: (Pollster, MockProviderServer) async throws -> T
    ) async throws -> T {
        try await MockProviderServer.withEngine(
            registry: try YAMLRegistry(directory: Repository.adapters),
            script: MockJobScript(polls: 2, output: MockOutput(kind: .png, size: 200_000)),
            secrets: testSecrets,
            logger: quietLogger, tls: Self.identity, transport: configuration, body)
    }

    @Test("with the certificate trusted, a job runs end to end over HTTPS")
    func trusted() async throws {
        var configuration = HTTPClientTransport.Configuration()
        configuration.trustedCertificatesFile = Self.identity.certificateFile
        try await withTLSMock(configuration) { pollster, mock in
            #expect(mock.baseURL.hasPrefix("https://"))
            let result = try await pollster.invoke(
                "replicate.create_prediction", input: sampleInputs["replicate.create_prediction"]!,
                options: fastOptions(mock))
            let file = try #require(result.files.first)
            #expect(file.url.hasPrefix("https://"), "the output URL the mock answered with")
            #expect(file.size == 200_000)
            #expect(mock.stats.polls >= 2)
        }
    }

    @Test("an untrusted certificate fails the submit once, before anything is sent, without retrying")
    func untrusted() async throws {
        var configuration = HTTPClientTransport.Configuration()
        // AsyncHTTPClient tries new connections until the connect timeout, then reports the last
        // handshake failure; keep the test short, with room for one handshake on a loaded machine.
        configuration.connectTimeout = .seconds(3)
        let log = LogCapture()
        try await MockProviderServer.withEngine(
            registry: try YAMLRegistry(directory: Repository.adapters), secrets: testSecrets,
            logger: log.logger, tls: Self.identity, transport: configuration
        ) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    "replicate.create_prediction", input: sampleInputs["replicate.create_prediction"]!,
                    options: fastOptions(mock))
            }
            #expect(error?.code == .transportError, "\(String(describing: error))")
            let message = error?.message ?? ""
            #expect(message.contains("TLS handshake failed"), "\(message)")
            #expect(message.contains("trustedCertificatesFile"), "\(message)")
            #expect(message.contains("nothing was submitted"), "\(message)")
            #expect(message.contains("fails the same way until this is fixed"), "\(message)")
            // Sending it again would fail the same way: the submit is not retried after it. (A
            // connect timeout before any handshake finished, on a loaded machine, is retried.)
            let retriedAfterHandshake = log.text.split(separator: "\n").filter {
                $0.contains("submit retrying") && $0.contains("TLS handshake failed")
            }
            #expect(retriedAfterHandshake.isEmpty, "\(log.text)")
            #expect(mock.stats.submissions == 0)
        }
    }

    @Test(
        "a trusted-certificates file that cannot be read fails every request at once, naming it",
        arguments: ["/nonexistent/ca.pem", "\(Repository.fixtures)/tls/README.md"])
    func unreadableFile(_ file: String) async throws {
        var configuration = HTTPClientTransport.Configuration()
        configuration.trustedCertificatesFile = file
        try await withTLSMock(configuration) { pollster, mock in
            let error = await pollsterError {
                try await pollster.invoke(
                    "replicate.create_prediction", input: sampleInputs["replicate.create_prediction"]!,
                    options: fastOptions(mock))
            }
            let message = error?.message ?? ""
            #expect(error?.code == .transportError, "\(message)")
            #expect(message.contains("cannot be read from \(file)"), "\(message)")
            #expect(message.contains("nothing was submitted"), "\(message)")
            #expect(mock.stats.submissions == 0)
        }
    }

    /// Submits through a `TCPProxy` to `port` (the mock's, or a closed one), paused or not,
    /// with a trusted certificate and a 500 ms connect timeout.
    /// - Returns: the submit's error, and how many submits reached the mock.
    func submitThroughProxy(toMock: Bool, paused: Bool) async throws -> (PollsterError?, Int) {
        var configuration = HTTPClientTransport.Configuration()
        configuration.trustedCertificatesFile = Self.identity.certificateFile
        configuration.connectTimeout = .milliseconds(500)
        return try await withTLSMock(configuration) { pollster, mock in
            // A proxy to a closed port accepts each connection, then closes it.
            let proxy = try await TCPProxy.start(to: "127.0.0.1", port: toMock ? mock.port : 1)
            if paused { proxy.pause() }
            var options = fastOptions(mock)
            options.baseUrlOverride = "https://127.0.0.1:\(proxy.port)"
            let error = await pollsterError {
                try await pollster.invoke(
                    "replicate.create_prediction", input: sampleInputs["replicate.create_prediction"]!,
                    options: options)
            }
            try await proxy.shutdown()
            return (error, mock.stats.submissions)
        }
    }

    @Test("a server that never finishes the handshake: nothing was submitted, the submit is not uncertain")
    func silentHandshake() async throws {
        let (error, submissions) = try await submitThroughProxy(toMock: true, paused: true)
        #expect(error?.code == .transportError, "\(String(describing: error))")
        #expect(error?.message.contains("nothing was submitted") == true, "\(String(describing: error))")
        #expect(submissions == 0)
    }

    @Test("a connection closed during the handshake is tried again, unlike a refused certificate")
    func closedDuringHandshake() async throws {
        let (error, submissions) = try await submitThroughProxy(toMock: false, paused: false)
        #expect(error?.code == .transportError, "\(String(describing: error))")
        let message = error?.message ?? ""
        #expect(message.contains("safe to try again"), "a transient failure, retried: \(message)")
        #expect(!message.contains("fails the same way"), "\(message)")
        #expect(submissions == 0)
    }

    @Test("HTTPS to a server that speaks plain HTTP fails the handshake: nothing was submitted")
    func plainServer() async throws {
        var configuration = HTTPClientTransport.Configuration()
        configuration.connectTimeout = .milliseconds(500)
        let transport = HTTPClientTransport(configuration: configuration)
        try await withMockEngine { _, mock in
            let pollster = Pollster(
                registry: try YAMLRegistry(directory: Repository.adapters), transport: transport,
                secrets: testSecrets, urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: quietLogger)
            var options = fastOptions(mock)
            options.baseUrlOverride = mock.baseURL.replacingOccurrences(of: "http://", with: "https://")
            let error = await pollsterError {
                try await pollster.invoke(
                    "replicate.create_prediction", input: sampleInputs["replicate.create_prediction"]!,
                    options: options)
            }
            #expect(error?.code == .transportError, "\(String(describing: error))")
            #expect(mock.stats.submissions == 0)
        }
        try await transport.shutdown()
    }
}
