import Pollster
import PollsterCore
import Testing

/// `PollsterError.mapping`: the one place where errors of other kinds get their codes.
@Suite("Error mapping")
struct ErrorMappingTests {
    struct Unclassified: Error, CustomStringConvertible {
        var description: String { "something odd" }
    }

    static func parserFailure() -> any Error {
        do {
            _ = try JSONParser.parse("{\"a\":")
            return Unclassified()
        } catch {
            return error
        }
    }

    static let cases: [(String, any Error, PollsterError.Origin, PollsterError.Code)] = [
        ("a PollsterError", PollsterError(.taskFailed, "boom"), .store, .taskFailed),
        ("cancellation", CancellationError(), .transport, .canceled),
        ("cancellation of a store call", CancellationError(), .store, .canceled),
        (
            "a transport failure", TransportFailure(.connectionLost, "reset by peer"), .transport,
            .transportError
        ),
        ("a duplicate task id", TaskStoreError.duplicate("t1"), .store, .conflict),
        ("an unreadable record", TaskStoreError.corrupt(id: "t1", reason: "not JSON"), .store, .storeError),
        ("a parser failure nothing handled", parserFailure(), .transport, .internal),
        ("anything else from a transport", Unclassified(), .transport, .transportError),
        ("anything else from a registry", Unclassified(), .registry, .transportError),
        ("anything else from a store", Unclassified(), .store, .storeError),
    ]

    @Test("each kind of error gets its code", arguments: cases)
    func mapped(name: String, error: any Error, origin: PollsterError.Origin, code: PollsterError.Code) {
        let mapped = PollsterError.mapping(error, "doing it", from: origin)
        #expect(mapped.code == code, "\(name)")
        if !(error is PollsterError) {
            #expect(mapped.message.hasPrefix("doing it: "), "\(name): \(mapped.message)")
        }
    }

    @Test("a PollsterError passes unchanged")
    func unchanged() {
        let error = PollsterError(.httpError, "HTTP 418", httpStatus: 418, taskId: "j1")
        #expect(PollsterError.mapping(error, "ignored", from: .transport) == error)
    }
}
