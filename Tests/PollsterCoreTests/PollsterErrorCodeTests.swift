import Foundation
import PollsterCore
import Testing

/// `PollsterError.Code`: a struct that can grow, with the stable names of the old enum.
@Suite("PollsterError.Code")
struct PollsterErrorCodeTests {
    static let names: [(PollsterError.Code, String)] = [
        (.toolNotFound, "TOOL_NOT_FOUND"), (.invalidConfig, "INVALID_CONFIG"),
        (.missingSecret, "MISSING_SECRET"),
        (.invalidInput, "INVALID_INPUT"), (.conflict, "CONFLICT"), (.httpError, "HTTP_ERROR"),
        (.rateLimited, "RATE_LIMITED"), (.transportError, "TRANSPORT_ERROR"),
        (.taskIdNotFound, "TASK_ID_NOT_FOUND"),
        (.taskFailed, "TASK_FAILED"), (.taskCanceled, "TASK_CANCELED"), (.taskNotFound, "TASK_NOT_FOUND"),
        (.pollingTimeout, "POLLING_TIMEOUT"), (.outputNotFound, "OUTPUT_NOT_FOUND"),
        (.downloadFailed, "DOWNLOAD_FAILED"), (.unsafeURL, "UNSAFE_URL"),
        (.responseTooLarge, "RESPONSE_TOO_LARGE"),
        (.submitUncertain, "SUBMIT_UNCERTAIN"), (.storeError, "STORE_ERROR"), (.canceled, "CANCELED"),
        (.internal, "INTERNAL"),
    ]

    @Test("every code has its stable name, and the name gives the code back", arguments: names)
    func stableName(code: PollsterError.Code, name: String) throws {
        #expect(code.rawValue == name)
        #expect(code.description == name)
        #expect(PollsterError.Code(rawValue: name) == code)
        let encoded = try JSONEncoder().encode([code])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["\#(name)"]"#)
        #expect(try JSONDecoder().decode([PollsterError.Code].self, from: encoded) == [code])
    }

    @Test("the names are distinct")
    func distinct() {
        #expect(Set(Self.names.map(\.0)).count == Self.names.count)
    }

    @Test("a name this version does not know is nil, and refused when decoding")
    func unknown() {
        #expect(PollsterError.Code(rawValue: "NOT_A_CODE") == nil)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([PollsterError.Code].self, from: Data(#"["NOT_A_CODE"]"#.utf8))
        }
    }

    @Test("codes match in a switch by their static members")
    func switchMatches() {
        let error = PollsterError(.storeError, "the database is down")
        let matched =
            switch error.code {
            case .transportError: "transport"
            case .storeError: "store"
            default: "other"
            }
        #expect(matched == "store")
        #expect(error.description == "STORE_ERROR: the database is down")
    }
}
