/// A coding key for any string, used to list the keys a mapping actually has.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Helpers for config types that decode with defaults and refuse unknown keys.
struct ConfigContainer {
    let container: KeyedDecodingContainer<AnyCodingKey>

    /// Opens a mapping and fails on any key not in `known`, naming the nearest known key.
    init(_ decoder: any Decoder, known: [String]) throws {
        container = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            var message = "unknown key '\(key.stringValue)'"
            if let suggestion = Spelling.nearest(to: key.stringValue, in: known) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; known keys: \(known.joined(separator: ", "))"
            }
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath + [key], debugDescription: message))
        }
    }

    func callAsFunction<T: Decodable>(_ key: String, default value: T) throws -> T {
        try container.decodeIfPresent(T.self, forKey: AnyCodingKey(stringValue: key)) ?? value
    }

    func callAsFunction<T: Decodable>(_ key: String) throws -> T? {
        try container.decodeIfPresent(T.self, forKey: AnyCodingKey(stringValue: key))
    }

    func required<T: Decodable>(_ key: String) throws -> T {
        try container.decode(T.self, forKey: AnyCodingKey(stringValue: key))
    }
}

/// Keyed encoding that leaves out nil values.
struct ConfigEncoder {
    var container: KeyedEncodingContainer<AnyCodingKey>

    init(_ encoder: any Encoder) { container = encoder.container(keyedBy: AnyCodingKey.self) }

    mutating func callAsFunction<T: Encodable>(_ key: String, _ value: T?) throws {
        try container.encodeIfPresent(value, forKey: AnyCodingKey(stringValue: key))
    }

    /// Encodes `value` unless it equals the default (keeps exports minimal).
    mutating func callAsFunction<T: Encodable & Equatable>(_ key: String, _ value: T, default: T) throws {
        if value != `default` { try container.encode(value, forKey: AnyCodingKey(stringValue: key)) }
    }
}

/// Suggests the nearest known word for a misspelt key or name.
package enum Spelling {
    /// The known word within a small edit distance (or differing only in case/underscores), if any.
    package static func nearest(to word: String, in known: [String]) -> String? {
        let normalized = normalize(word)
        if let same = known.first(where: { normalize($0) == normalized }) { return same }
        let scored = known.map { ($0, distance(normalized, normalize($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    private static func normalize(_ word: String) -> [Character] {
        Array(word.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
