/// Finds where to poll when `polling.statusUrl` is not configured.
public enum StatusURLDetector {
    /// How the status URL was learned, which decides how status answers are read.
    public enum Mode: Sendable, Equatable {
        /// A URL whose JSON body carries a status field.
        case statusBody
        /// A `Location` header of a 202: 202 means running, 200/201 means done.
        case location
    }

    /// Body paths that hold a status URL.
    public static let bodyPaths: [JSONPath] = [
        JSONPath([.key("status_url")]), JSONPath([.key("statusUrl")]), JSONPath([.key("urls"), .key("get")]),
        JSONPath([.key("polling_url")]), JSONPath([.key("operation_url")]),
    ]

    /// Headers of a 202 that hold a status URL, in order of preference.
    public static let headerNames = ["Operation-Location", "Azure-AsyncOperation", "Location"]

    /// The status URL from the submit response body or, for a 202, its headers.
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
        guard status == 202 else { return nil }
        for name in headerNames {
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
