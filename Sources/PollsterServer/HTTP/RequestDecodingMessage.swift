import Foundation
import HTTPTypes
import OpenAPIRuntime

/// What to fix, in words, for a request the OpenAPI layer could not decode: which field or
/// parameter, and what it should be (`input: expected an object, found a number`), instead of
/// the runtime's description of a Swift `DecodingError`.
enum RequestDecodingMessage {
    /// The message for `error`, a 4xx of the OpenAPI layer.
    static func describe(_ error: ServerError) -> String {
        guard let decoding = error.underlyingError as? DecodingError else {
            let underlying = "\(error.underlyingError)"
            return underlying == error.causeDescription
                ? underlying : "\(error.causeDescription): \(underlying)"
        }
        let inBody = [.post, .put, .patch].contains(error.request.method)
        return describe(decoding, inBody: inBody, query: error.request.path?.queryPart)
    }

    /// The message for a decoding error of the body (`inBody`), else of the query parameters.
    static func describe(_ error: DecodingError, inBody: Bool, query: String?) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            let expected = kind(of: type)
            let wrong: (String) -> Bool =
                switch expected {
                case "an integer": { Int($0) == nil }
                case "a number": { Double($0) == nil }
                case "true or false": { !["true", "false"].contains($0) }
                default: { _ in true }
                }
            let place = place(context.codingPath, inBody: inBody, query: query, wrong: wrong)
            return "\(place): expected \(expected)\(found(in: context.debugDescription))"
        case .valueNotFound(let type, let context) where context.debugDescription.contains("null"):
            return
                "\(place(context.codingPath, inBody: inBody, query: query)): expected \(kind(of: type)), found null"
        case .valueNotFound(_, let context):
            return "\(place(context.codingPath, inBody: inBody, query: query)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let field = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return "\(field) is required but missing"
        case .dataCorrupted(let context) where context.codingPath.isEmpty && inBody:
            return "the request body is not valid JSON (send an object such as {\"input\": {…}})"
        case .dataCorrupted(let context):
            if let value = context.debugDescription.components(separatedBy: "from invalid String value ")
                .dropFirst().first
            {
                let place = place(context.codingPath, inBody: inBody, query: query, wrong: { $0 == value })
                return "\(place): '\(value)' is not one of the allowed values"
            }
            return "\(place(context.codingPath, inBody: inBody, query: query)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Where the error is: the field's path, the body, or the query parameters whose values are
    /// `wrong` (the generated code decodes each query parameter on its own, with no path).
    private static func place(
        _ path: [any CodingKey], inBody: Bool, query: String?, wrong: (String) -> Bool = { _ in true }
    ) -> String {
        if !path.isEmpty { return path.map(\.stringValue).joined(separator: ".") }
        if inBody { return "the request body" }
        guard let query else { return "a parameter" }
        let suspects = query.split(separator: "&").filter { item in
            item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first
                .map { wrong(String($0).removingPercentEncoding ?? String($0)) } ?? false
        }
        guard suspects.count == 1, let suspect = suspects.first else { return "the query (\(query))" }
        return "the query parameter \(suspect)"
    }

    /// A JSON kind for a Swift type the generated code decodes.
    private static func kind(of type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || name.hasPrefix("OpenAPIObjectContainer") { return "an object" }
        if name.hasPrefix("Array") || name.hasPrefix("OpenAPIArrayContainer") { return "an array" }
        switch name {
        case "String": return "a string"
        case "Bool": return "true or false"
        case "Int", "Int32", "Int64": return "an integer"
        case "Double", "Float": return "a number"
        default: return "a value of type \(name)"
        }
    }

    /// ", found a number" from Foundation's "… but found number instead." (a dictionary is a JSON
    /// object).
    private static func found(in description: String) -> String {
        guard let start = description.range(of: "but found "),
            let end = description.range(of: " instead", range: start.upperBound..<description.endIndex)
        else { return "" }
        var what = description[start.upperBound..<end.lowerBound]
        if what.hasSuffix("dictionary") { what = "an object" }
        let article = what.hasPrefix("a ") || what.hasPrefix("an ") || what == "null" ? "" : "a "
        return ", found \(article)\(what)"
    }
}

extension String {
    /// What follows `?` in a request target, if anything.
    fileprivate var queryPart: String? {
        guard let mark = firstIndex(of: "?") else { return nil }
        let query = self[index(after: mark)...]
        return query.isEmpty ? nil : String(query)
    }
}
