import OrderedCollections
import PollsterCore

/// JSON with two-space indentation, object members in stored order: how fixtures are committed.
/// A recording keeps every body as the provider sent it, so a re-recording diffs against the
/// wire, not against a sorting.
public enum PrettyJSON {
    /// `value` as indented text, ending with a newline.
    public static func string(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: "", into: &output)
        return output + "\n"
    }

    private static func write(_ value: JSONValue, indent: String, into output: inout String) {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += inner
                write(item, indent: inner, into: &output)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let members) where !members.isEmpty:
            output += "{\n"
            for (index, (key, member)) in members.enumerated() {
                output += inner + JSONWriter.string(.string(key)) + ": "
                write(member, indent: inner, into: &output)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        default:
            output += JSONWriter.string(value)
        }
    }
}
