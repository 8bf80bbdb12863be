import OrderedCollections

/// `JSONValue` through any coder. Object members are encoded in stored order and decoded in
/// the order the decoder lists its keys (`JSONDecoder` does not keep the document's);
/// ``JSONValueDecoder`` hands its value over as it is.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let decoding = decoder as? JSONValueDecoding {
            self = decoding.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            let object = try decoder.container(keyedBy: AnyCodingKey.self)
            var members = OrderedDictionary<String, JSONValue>(minimumCapacity: object.allKeys.count)
            for key in object.allKeys {
                members[key.stringValue] = try object.decode(JSONValue.self, forKey: key)
            }
            self = .object(members)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if case .object(let members) = self {
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            for (key, value) in members {
                try container.encode(value, forKey: AnyCodingKey(stringValue: key))
            }
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .integer(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object: break
        }
    }
}
