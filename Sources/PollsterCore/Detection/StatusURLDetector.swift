/// Finds where to poll when `polling.statusUrl` is not configured.
public enum StatusURLDetector {
    /// How the status URL was learned, which decides how status answers are read.
    public enum Mode: Sendable, Equatable {
        /// A URL whose JSON body carries a status field.
        case statusBody
        /// A `Location` header of a 202: 202 means running, 200/201/204 means done.
        case location
    }

    /// Body paths that hold a status URL.
    public static let bodyPaths: [JSONPath] = [
        JSONPath([.key("status_url")]), JSONPath([.key("statusUrl")]), JSONPath([.key("urls"), .key("get")]),
        JSONPath([.key("polling_url")]), JSONPath([.key("operation_url")]),
    ]

    /// Headers that hold a status URL, in order of preference: the first two on any 2xx (Azure
    /// answers a long-running operation with 201 or 202), `Location` only on a 202 (on a 201 it
    /// names the resource created, not a status to poll).
    public static let headerNames = ["Operation-Location", "Azure-AsyncOperation", "Location"]

    /// The status URL from the submit response body or, failing that, its headers.
    public static func detect(
        body: JSONValue?, status: Int, header: (String) -> String?
    ) -> (url: Detected<String>, mode: Mode)? {
        if let body {
            for scope in FieldSearch.scopes(of: body) {
                for path in bodyPaths {
                    if case .string(let url)? = path.firstValue(in: .object(scope.object)), isURL(url) {
                        let full = JSONPath(scope.path.components + path.components)
                        return (Detected(value: url, source: full.description), .statusBody)
                    }
                }
            }
        }
        guard (200..<300).contains(status) else { return nil }
        for name in headerNames where name != "Location" || status == 202 {
            if let url = header(name), !url.isEmpty {
                return (
                    Detected(value: url, source: "header \(name)"),
                    name == "Location" ? .location : .statusBody
                )
            }
        }
        return nil
    }

    private static func isURL(_ text: String) -> Bool {
        text.hasPrefix("https://") || text.hasPrefix("http://") || text.hasPrefix("/")
    }
}
