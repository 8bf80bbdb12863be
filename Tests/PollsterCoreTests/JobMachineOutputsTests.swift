import Foundation
import PollsterCore
import Testing

/// `JobMachine` after polling: the outputs it finds in a result, the downloads it asks for, and
/// how their ends (saved, lost) finish the job.
@Suite("Job machine: outputs")
struct JobMachineOutputsTests {
    typealias Expected = JobMachineTests.Expected

    /// One download's end, and what the machine should say to it.
    struct Beat: Sendable {
        let event: JobMachine.Event
        var notices: [String] = []
        let expected: Expected
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// The method's `adapterConfig.output`, as JSON.
        var output = "{}"
        let result: JSONValue
        /// What `afterPolling` should say.
        var notices: [String] = []
        let first: Expected
        var beats: [Beat] = []
        /// The output URLs a lost output's error lists.
        var listed: [String] = []
        var testDescription: String { name }
    }

    static let lost = JobMachine.Event.downloadFailed(
        PollsterError(.downloadFailed, "GET https://cdn.test/1.png: HTTP 500", httpStatus: 500))
    static let two: JSONValue = [
        "images": [["url": "https://cdn.test/1.png"], ["url": "https://cdn.test/2.png"]]
    ]

    static let cases: [Case] = [
        Case(
            name: "one output is downloaded, then the job succeeds",
            result: ["video_url": "https://cdn.test/v.mp4"],
            first: .download("https://cdn.test/v.mp4", number: nil),
            beats: [Beat(event: .downloaded, expected: .succeed(listed: 0))]),
        Case(
            name: "a lost output fails the job after the others are tried, listing every output",
            result: two,
            first: .download("https://cdn.test/1.png", number: 1),
            beats: [
                Beat(event: lost, expected: .download("https://cdn.test/2.png", number: 2)),
                Beat(
                    event: .downloaded,
                    expected: .fail(.downloadFailed, "HTTP 500. The job succeeded at the provider (task r1)")),
            ], listed: ["https://cdn.test/1.png", "https://cdn.test/2.png"]),
        Case(
            name: "with failOnDownloadError false a lost output is a warning and the job succeeds",
            output: #"{"failOnDownloadError": false}"#, result: two,
            first: .download("https://cdn.test/1.png", number: 1),
            beats: [
                Beat(
                    event: lost, notices: ["warning DOWNLOAD_FAILED"],
                    expected: .download("https://cdn.test/2.png", number: 2)),
                Beat(event: .downloaded, expected: .succeed(listed: 0)),
            ]),
        Case(
            name: "explicit output paths that find nothing fail OUTPUT_NOT_FOUND",
            output: #"{"paths": ["data.file"]}"#, result: ["data": ["other": "x"]],
            first: .fail(.outputNotFound, "at output.paths [\"data.file\"]")),
        Case(
            name: "no output found without explicit paths is a warning; the job succeeds",
            result: ["status": "done"], notices: ["warning OUTPUT_NOT_FOUND"], first: .succeed(listed: 0)),
        Case(
            name: "with download false the outputs are listed, not downloaded",
            output: #"{"download": false}"#, result: two, first: .succeed(listed: 2)),
        Case(
            name: "more outputs than maxFiles: a warning, and only the first are downloaded",
            output: #"{"maxFiles": 1}"#, result: two, notices: ["warning DOWNLOAD_FAILED"],
            first: .download("https://cdn.test/1.png", number: nil),
            beats: [Beat(event: .downloaded, expected: .succeed(listed: 0))]),
        Case(
            name: "an event the phase does not expect is an internal error",
            result: ["video_url": "https://cdn.test/v.mp4"],
            first: .download("https://cdn.test/v.mp4", number: nil),
            beats: [Beat(event: .timerFired, expected: .fail(.internal, "while downloading outputs"))]),
    ]

    /// A machine whose job was resumed with its result stored: its outputs come next.
    static func machine(output: String, result: JSONValue) throws -> JobMachine {
        var machine = try JobMachineTests.machine(
            JobMachineTests.Case(
                name: "", config: #"{"polling": {"intervalSeconds": 5}, "output": \#(output)}"#, beats: []))
        var random = SystemRandomNumberGenerator()
        let step = machine.resume(
            JobMachine.Stored(
                answer: JobMachineTests.answer(201, #"{"id": "r1"}"#), foundByReference: false,
                result: result,
                polling: nil),
            submitURL: "https://api.test/v1/jobs", submittedAt: .zero, at: .seconds(1), using: &random)
        #expect(Expected(step.action) == .outputs(result))
        return machine
    }

    @Test("a result's outputs give the downloads and the ending the rules say", arguments: cases)
    func outputs(_ testCase: Case) throws {
        var machine = try Self.machine(output: testCase.output, result: testCase.result)
        var random = SystemRandomNumberGenerator()
        let next = machine.afterPolling()
        let after = try #require(next)
        #expect(testCase.first.matches(Expected(after.action)), "\(Expected(after.action))")
        #expect(JobMachineTests.names(after.notices) == testCase.notices)
        var last = after
        for (index, beat) in testCase.beats.enumerated() {
            last = machine.receive(beat.event, at: .seconds(2), using: &random)
            let actual = Expected(last.action)
            #expect(beat.expected.matches(actual), "download end \(index + 1): \(actual)")
            #expect(JobMachineTests.names(last.notices) == beat.notices, "download end \(index + 1)")
        }
        if case .fail(let error) = last.action, !testCase.listed.isEmpty {
            #expect(error.outputs == testCase.listed)
            #expect(error.taskId == "r1")
        }
        let again = machine.afterPolling()
        #expect(again == nil)
    }
}
