import Foundation

/// Decodes `Decodable` types straight from a ``JSONValue``, without writing it out as text and
/// parsing it again.
///
/// It throws the `DecodingError`s `JSONDecoder` throws for the same document: the same kind
/// (`typeMismatch`, `valueNotFound`, `keyNotFound`, `dataCorrupted`) and coding path, array
/// elements as `Index N` keys with an `intValue`. One difference: a number that does not fit the
/// requested type is `dataCorrupted` at its own path ("Parsed JSON number <1.5> does not fit in
/// Int."), where `JSONDecoder` only says the whole document is not valid JSON.
///
/// Integers decode from doubles only when exact (`2.0`, not `2.5`); doubles decode from
/// integers. `Date` and `Data` decode as their own `Decodable` conformances say unless the
/// options say otherwise (as `JSONDecoder`'s strategies do); `URL` always does. A `JSONValue`
/// inside the decoded type is taken as it is (member order kept).
///
/// ```swift
/// let limits = try JSONValueDecoder().decode(InventoryLimits.self, from: ["maxConcurrent": 4])
/// ```
public struct JSONValueDecoder: Sendable {
    /// How `Date` and `Data` values are read.
    public struct Options: Sendable {
        /// Dates as seconds since 1970 (`JSONDecoder`'s `.secondsSince1970`); otherwise by
        /// `Date`'s own conformance (seconds since 2001).
        public var datesSince1970 = false
        /// `Data` as base64 text (`JSONDecoder`'s default); otherwise by `Data`'s own conformance
        /// (an array of bytes).
        public var base64Data = false

        public init(datesSince1970: Bool = false, base64Data: Bool = false) {
            self.datesSince1970 = datesSince1970
            self.base64Data = base64Data
        }
    }

    /// How this decoder reads dates and data.
    public var options: Options

    /// A decoder; it holds no state beyond its options, so one can be shared.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Decodes `type` from `value`.
    /// - Throws: `DecodingError`, as `JSONDecoder` would for the same document.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoding(value: value, codingPath: [], options: options).decode(type)
    }
}

/// The `Decoder` over one value of the document: what `init(from:)` receives. It is its own
/// single-value container (`JSONValueDecoding+SingleValue.swift`).
struct JSONValueDecoding: Decoder {
    /// The type `JSONDecoder` names in its errors when a value is not an object.
    static var objectType: Any.Type { Dictionary<String, Any>.self }

    let value: JSONValue
    let codingPath: [any CodingKey]
    let options: JSONValueDecoder.Options
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members):
            return KeyedDecodingContainer(
                JSONValueKeyedContainer<Key>(members: members, codingPath: codingPath, options: options))
        case .null:
            throw DecodingError.valueNotFound(
                Self.objectType,
                .init(
                    codingPath: codingPath,
                    debugDescription: "Cannot get keyed decoding container -- found null value instead"))
        default:
            throw mismatch(Self.objectType)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let items):
            return JSONValueUnkeyedContainer(items: items, codingPath: codingPath, options: options)
        case .null:
            throw DecodingError.valueNotFound(
                [Any].self,
                .init(
                    codingPath: codingPath,
                    debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
        default:
            throw mismatch([Any].self)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// The value as `type`: by its `init(from:)`, or a date or data as the options say.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if options.datesSince1970, type == Date.self {
            guard !value.isNull else { throw unexpected(type) }
            if let date = Date(timeIntervalSince1970: try floatingPoint(Double.self)) as? T { return date }
        }
        if options.base64Data, type == Data.self {
            guard !value.isNull else { throw unexpected(type) }
            if let data = try base64() as? T { return data }
        }
        return try T(from: self)
    }

    /// Base64 text as bytes.
    private func base64() throws -> Data {
        guard let data = Data(base64Encoded: try decode(String.self)) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    /// The error for a value of the wrong kind: `valueNotFound` for null, else `typeMismatch`.
    func unexpected(_ type: Any.Type) -> DecodingError {
        guard !value.isNull else {
            return .valueNotFound(
                type,
                .init(
                    codingPath: codingPath,
                    debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
        return mismatch(type)
    }

    /// The error for a value of the wrong kind, null included.
    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(
            type,
            .init(
                codingPath: codingPath,
                debugDescription: "Expected to decode \(type) but found \(kind) instead."))
    }

    /// The value's kind in `JSONDecoder`'s words.
    private var kind: String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .integer, .double: "number"
        case .string: "a string"
        case .array: "an array"
        case .object: "a dictionary"
        }
    }
}
