// Runs N jobs at once through one shipped adapter against the mock provider, the same workload
// the Python peers run (Benchmarks/peers/drivers/*.py), and prints one JSON summary line.
//
//   pollster-driver --tool replicate.create_prediction --base-url http://127.0.0.1:8089 \
//       --adapters DIR --jobs 1000 --interval 2
//   pollster-driver … --base-url https://127.0.0.1:8089 --ca-file cert.pem   (the mock over TLS)
//
// `--ca-file` is a PEM file of certificates to trust besides the system's
// (`HTTPClientTransport.Configuration.trustedCertificatesFile`; NIOSSL ignores SSL_CERT_FILE).
//
// Every job is `Pollster.invoke` in one task group (all N in flight at once); results are
// dropped as they arrive (only the byte count is kept), as the Python drivers do.
import Foundation
import Logging
import Pollster
import PollsterCore

struct Arguments {
    var tool = "replicate.create_prediction"
    var baseURL = "http://127.0.0.1:8089"
    var adapters = "adapters"
    var jobs = 20
    var interval = 2.0
    var maxWait = 600.0
    var caFile: String?

    init(_ arguments: [String]) {
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fail("missing value after \(arguments[index - 1])") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--tool": tool = value()
            case "--base-url": baseURL = value()
            case "--adapters": adapters = value()
            case "--jobs": jobs = Int(value()) ?? jobs
            case "--interval": interval = Double(value()) ?? interval
            case "--max-wait": maxWait = Double(value()) ?? maxWait
            case "--ca-file": caFile = value()
            default: fail("unknown argument \(arguments[index])")
            }
            index += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("pollster-driver: \(message)\n".utf8))
    exit(2)
}

/// The input each tool gets: the same request the Python drivers send.
func input(for tool: String) -> JSONValue {
    switch tool {
    case "replicate.create_prediction":
        return [
            "version": "mock/model:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
            "input": ["prompt": "a lighthouse at dawn"],
        ]
    case "fal.fast_sdxl":
        return ["prompt": "a lighthouse at dawn"]
    case "runway.text_to_image":
        return ["promptText": "a lighthouse at dawn", "model": "gen4_image", "ratio": "1920:1080"]
    default:
        fail("no benchmark input for \(tool)")
    }
}

struct Outcome: Sendable {
    var ok: Bool
    var bytes: Int
    var polls: Int
    var error: String?
}

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
let started = ContinuousClock.now
var logger = Logger(label: "pollster")
logger.logLevel = .warning  // the Python clients log nothing per job by default either
let registry: YAMLRegistry
do {
    registry = try YAMLRegistry(directory: arguments.adapters)
} catch {
    fail("cannot load \(arguments.adapters): \(error)")
}
var transportConfiguration = HTTPClientTransport.Configuration()
transportConfiguration.trustedCertificatesFile = arguments.caFile
let transport = HTTPClientTransport(configuration: transportConfiguration)
let pollster = Pollster(
    registry: registry, transport: transport, urlPolicy: URLPolicy(allowPrivateNetworks: true), logger: logger)
let options = InvokeOptions(
    baseUrlOverride: arguments.baseURL, pollInterval: .milliseconds(Int(arguments.interval * 1000)),
    maxWait: .seconds(arguments.maxWait))
let request = input(for: arguments.tool)
let tool = arguments.tool

var ok = 0
var failed = 0
var bytes = 0
var polls = 0
var firstError: String?
await withTaskGroup(of: Outcome.self) { group in
    for _ in 0..<arguments.jobs {
        group.addTask {
            do throws(PollsterError) {
                let result = try await pollster.invoke(tool, input: request, options: options)
                let size = result.files.reduce(0) { $0 + ($1.bytes?.count ?? $1.size ?? 0) }
                return Outcome(ok: !result.files.isEmpty, bytes: size, polls: result.timings.polls,
                               error: result.files.isEmpty ? "no output file" : nil)
            } catch {
                return Outcome(ok: false, bytes: 0, polls: 0, error: "\(error.code): \(error.message)")
            }
        }
    }
    for await outcome in group {
        if outcome.ok { ok += 1 } else { failed += 1 }
        bytes += outcome.bytes
        polls += outcome.polls
        if firstError == nil, let error = outcome.error { firstError = error }
    }
}
try? await transport.shutdown()
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
var summary: [String: Any] = [
    "driver": "pollster", "tool": tool, "jobs": arguments.jobs, "ok": ok, "failed": failed,
    "bytes": bytes, "polls": polls, "seconds": (seconds * 1000).rounded() / 1000,
]
if let firstError { summary["first_error"] = String(firstError.prefix(300)) }
let line = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
print(String(decoding: line, as: UTF8.self))
exit(failed == 0 ? 0 : 1)
