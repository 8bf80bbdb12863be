import OrderedCollections

/// Serialises `JSONValue` as compact JSON.
///
/// Object members are written in stored order: a provider's answer as it came, a body template
/// as the config lists it. Where the text is an identity (a hash, a comparison of two values
/// that may have been built in different orders) use ``canonical(_:)``, which sorts keys.
///
/// ```swift
/// JSONWriter.string(["b": 1, "a": [true, nil]])     // {"b":1,"a":[true,null]}
/// JSONWriter.canonical(["b": 1, "a": [true, nil]])  // {"a":[true,null],"b":1}
/// ```
public enum JSONWriter {
    /// Compact JSON text, object members in stored order.
    public static func string(_ value: JSONValue) -> String {
        var output = ""
        write(value, sortingKeys: false, into: &output)
        return output
    }

    /// Compact JSON as UTF-8 bytes, object members in stored order.
    public static func bytes(_ value: JSONValue) -> [UInt8] { Array(string(value).utf8) }

    /// Compact JSON text with the keys of every object sorted: the same text for equal values,
    /// whatever order their members were stored in.
    public static func canonical(_ value: JSONValue) -> String {
        var output = ""
        write(value, sortingKeys: true, into: &output)
        return output
    }

    /// A finite double in its shortest round-tripping form; integral values without ".0".
    static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    private static func write(_ value: JSONValue, sortingKeys: Bool, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let number): output += String(number)
        case .double(let number): output += format(number)
        case .string(let text): writeString(text, into: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                write(item, sortingKeys: sortingKeys, into: &output)
            }
            output += "]"
        case .object(var members):
            if sortingKeys { members.sort { $0.key < $1.key } }
            output += "{"
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { output += "," }
                writeString(key, into: &output)
                output += ":"
                write(member, sortingKeys: sortingKeys, into: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
