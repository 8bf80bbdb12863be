import Pollster
import PollsterCore

/// A fixture's exchanges sorted into the steps of a job: the submit, the polls, an optional
/// result request and the downloads.
///
/// The first exchange is the submit. The first later exchange that is not a download fixes the
/// status request (method and URL); every exchange to it is a poll. A later JSON answer from
/// another URL is the result step. A download is an exchange whose body was omitted, or a 2xx
/// answer that is neither JSON nor text.
struct RecordedCall {
    let fixture: Fixture
    let submit: Fixture.Exchange
    let submitBody: JSONValue?
    let polls: [Fixture.Exchange]
    let result: Fixture.Exchange?
    let downloads: [Fixture.Exchange]

    /// - Throws: `INVALID_INPUT` for a fixture without exchanges.
    init(_ fixture: Fixture, path: String) throws(PollsterError) {
        guard let submit = fixture.exchanges.first else {
            throw PollsterError(
                .invalidInput, "fixture \(path) has no exchanges: record one with `pollster record`")
        }
        self.fixture = fixture
        self.submit = submit
        submitBody = try? JSONParser.parse(submit.body)
        var polls: [Fixture.Exchange] = []
        var result: Fixture.Exchange?
        var downloads: [Fixture.Exchange] = []
        for exchange in fixture.exchanges.dropFirst() {
            if Self.isDownload(exchange) {
                downloads.append(exchange)
            } else if polls.isEmpty || (polls[0].method == exchange.method && polls[0].url == exchange.url) {
                if result == nil { polls.append(exchange) }
            } else if result == nil {
                result = exchange
            }
        }
        self.polls = polls
        self.result = result
        self.downloads = downloads
    }

    /// The poll answers that are JSON, in order.
    var pollBodies: [JSONValue] { polls.compactMap { try? JSONParser.parse($0.body) } }

    /// The last poll answer that is JSON.
    var terminalBody: JSONValue? { pollBodies.last }

    /// Where the outputs are: the result step's answer, else the last poll's, else the submit's.
    var finalBody: JSONValue? {
        if let result { return try? JSONParser.parse(result.body) }
        if polls.isEmpty { return submitBody }
        if let last = polls.last, let body = try? JSONParser.parse(last.body) { return body }
        return terminalBody
    }

    /// A header of the submit answer.
    func submitHeader(_ name: String) -> String? { submit.headers.first(name: name) }

    private static func isDownload(_ exchange: Fixture.Exchange) -> Bool {
        if exchange.bodyOmitted { return true }
        guard (200..<300).contains(exchange.status), !exchange.body.isEmpty else { return false }
        if (try? JSONParser.parse(exchange.body)) != nil { return false }
        let type = exchange.headers.first(name: "Content-Type")?.lowercased() ?? ""
        return !type.hasPrefix("text/")
    }
}
