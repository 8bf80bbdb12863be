import OrderedCollections

/// The search order of auto-detection: the top level, then inside the usual container
/// objects one level deep, then two levels deep.
enum FieldSearch {
    /// Containers providers wrap their payload in.
    static let containers = ["data", "result", "task", "job", "Response", "operation"]

    /// The objects searched, with their paths, in order.
    static func scopes(of root: JSONValue) -> [(path: JSONPath, object: OrderedDictionary<String, JSONValue>)]
    {
        guard case .object(let top) = root else { return [] }
        var scopes: [(path: JSONPath, object: OrderedDictionary<String, JSONValue>)] = [(JSONPath([]), top)]
        var firstLevel: [(path: JSONPath, object: OrderedDictionary<String, JSONValue>)] = []
        for name in containers {
            if case .object(let inner) = top[name] { firstLevel.append((JSONPath([.key(name)]), inner)) }
        }
        scopes += firstLevel
        for (path, object) in firstLevel {
            for name in containers {
                if case .object(let inner) = object[name] {
                    scopes.append((path.appending(.key(name)), inner))
                }
            }
        }
        return scopes
    }

    /// The first field among `names` (in order of scopes, then of names) whose value passes `accept`.
    static func first(
        in root: JSONValue, names: [String], accept: (JSONValue) -> Bool = { $0.isMeaningful }
    ) -> (path: JSONPath, value: JSONValue)? {
        for (path, object) in scopes(of: root) {
            for name in names {
                if let value = object[name], accept(value) { return (path.appending(.key(name)), value) }
            }
        }
        return nil
    }
}
