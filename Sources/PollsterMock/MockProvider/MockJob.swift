import Foundation
import PollsterCore

/// The provider API a mock job was submitted through.
enum MockProviderStyle: String, Sendable {
    case heygen
    case fal
    case runway
    case replicate
    case tencentHunyuan = "tencent-hunyuan"
    case tencentVOD = "tencent-vod"
    case jimeng
    case azure
    case azureLocation = "azure-location"
}

/// Where a mock job stands when an answer is rendered.
enum MockJobPhase: Sendable, Equatable {
    /// Not finished. `stage` (0…1) picks among the provider's running words, first to last;
    /// `progress` (0…1) is the share of the work done.
    case running(stage: Double, progress: Double)
    case succeeded
    case failed(message: String)
    case canceled
    /// The script's `unknownStatus` value; never terminal.
    case unknown(String)

    /// Whether a client seeing this phase is done with the job.
    var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .canceled: true
        case .running, .unknown: false
        }
    }

    /// Picks one of `words` by ``running(stage:progress:)``'s stage (the first one otherwise).
    func runningWord(_ words: [String]) -> String {
        guard case .running(let stage, _) = self, words.count > 1 else { return words[0] }
        let index = Int((stage * Double(words.count - 1)).rounded())
        return words[min(max(index, 0), words.count - 1)]
    }
}

/// One submitted mock job. A value type kept inside ``MockProviderState``'s lock.
struct MockJob: Sendable {
    let id: String
    let style: MockProviderStyle
    /// The model path (fal, replicate) or endpoint name (runway) the job was submitted to.
    let model: String
    /// The submit request body, kept to echo `input` (replicate).
    let requestBody: [UInt8]
    /// The submit request body as JSON, or nil when it is not.
    var requestJSON: JSONValue? { try? JSONParser.parse(requestBody) }
    let script: MockJobScript
    let submittedAt: ContinuousClock.Instant
    let createdAt: Date
    /// Status requests received for this job (faulted ones included).
    var statusRequests = 0
    /// Status requests answered normally; these advance the job.
    var answeredPolls = 0
    /// Requests for this job's output files.
    var downloadRequests = 0
    /// Requests for this job's result.
    var resultRequests = 0
    var canceled = false
    var observedFinished = false

    /// The phase at `now`.
    func phase(at now: ContinuousClock.Instant) -> MockJobPhase {
        if canceled { return .canceled }
        if case .unknownStatus(let value) = script.outcome { return .unknown(value) }
        if let duration = script.duration {
            let done = duration <= .zero ? 1 : (now - submittedAt) / duration
            if done < 1 { return .running(stage: max(done, 0), progress: max(done, 0)) }
        } else if answeredPolls < script.polls {
            let runningPolls = script.polls - 1
            let stage =
                runningPolls <= 1 || answeredPolls == 0
                ? 0 : Double(answeredPolls - 1) / Double(runningPolls - 1)
            return .running(stage: stage, progress: Double(answeredPolls) / Double(script.polls))
        }
        switch script.outcome {
        case .success: return .succeeded
        case .failure(let message): return .failed(message: message)
        case .canceled: return .canceled
        case .unknownStatus(let value): return .unknown(value)
        }
    }

    /// Output file names served under `/files/`.
    var outputFileNames: [String] {
        (0..<max(script.output.count, 0)).map { "\(id)-\($0).\(script.output.kind.fileExtension)" }
    }

    /// The name of the thumbnail file (a JPEG that is not an output).
    var thumbnailFileName: String {
        "\(id)-thumbnail.jpg"
    }
}
