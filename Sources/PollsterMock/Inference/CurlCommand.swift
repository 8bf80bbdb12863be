import OrderedCollections
import PollsterCore

/// A `curl` command line as the provider's docs print it, turned into a fixture without answers
/// (`pollster infer --from-curl`). Credentials in it are masked at once, as in a recording.
public enum CurlCommand {
    /// One request.
    public struct Request: Sendable, Equatable {
        /// The method (`-X`, else POST with a body, else GET).
        public var method: String
        /// The URL.
        public var url: String
        /// Headers (`-H 'Name: value'`), masked.
        public var headers: [String: String]
        /// The body (`-d`, `--data`, `--data-raw`, `--json`).
        public var body: JSONValue?
    }

    /// A fixture of the submit (and the first status request, when a second command is given).
    /// - Throws: `INVALID_INPUT` when a command is not a curl call with a URL or its body is not JSON.
    public static func fixture(_ commands: [String]) throws(PollsterError) -> Fixture {
        var exchanges: [Fixture.Exchange] = []
        var input: JSONValue?
        for command in commands {
            let request = try parse(command)
            var exchange = Fixture.Exchange(
                method: request.method, url: request.url, requestBody: request.body, status: 200)
            exchange.requestHeaders = request.headers
            exchanges.append(exchange)
            if input == nil { input = request.body ?? .object([:]) }
        }
        return Fixture(input: input, exchanges: exchanges)
    }

    /// Parses one command line.
    /// - Throws: `INVALID_INPUT` naming what is missing.
    public static func parse(_ command: String) throws(PollsterError) -> Request {
        let words = split(command)
        guard words.first == "curl" else {
            throw PollsterError(.invalidInput, "--from-curl: expected a command starting with 'curl'")
        }
        var method: String?
        var url: String?
        var headers: [String: String] = [:]
        var bodyText: String?
        let redactor = FixtureRedactor(secrets: [:])
        var index = 1
        while index < words.count {
            let word = words[index]
            let next = index + 1 < words.count ? words[index + 1] : nil
            switch word {
            case "-X", "--request":
                method = next?.uppercased()
                index += 1
            case "-H", "--header":
                if let next, let colon = next.firstIndex(of: ":") {
                    let name = String(next[..<colon])
                    let value = next[next.index(after: colon)...].trimmingPrefix(" ")
                    headers[name] = redactor.header(name: name, value: String(value))
                }
                index += 1
            case "-d", "--data", "--data-raw", "--data-binary", "--json":
                bodyText = next
                index += 1
            case "--url":
                url = next
                index += 1
            default:
                if !word.hasPrefix("-"), url == nil { url = word }
            }
            index += 1
        }
        guard let url else { throw PollsterError(.invalidInput, "--from-curl: the command has no URL") }
        var body: JSONValue?
        if let bodyText {
            do { body = try JSONParser.parse(bodyText) } catch {
                throw PollsterError(.invalidInput, "--from-curl: the body is not JSON: \(error)")
            }
        }
        return Request(
            method: method ?? (body == nil ? "GET" : "POST"), url: redactor.url(url), headers: headers,
            body: body)
    }

    /// Shell words: single and double quotes, backslash escapes and line continuations.
    static func split(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in command {
            if escaped {
                if character != "\n" { current.append(character) }
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\\":
                escaped = true
                inWord = true
            case "'", "\"":
                quote = character
                inWord = true
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
