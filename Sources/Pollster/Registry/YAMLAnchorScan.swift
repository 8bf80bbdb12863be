// CYaml is the libyaml that Yams bundles and always links. It is not a declared product, but
// SwiftPM exposes a dependency's C modules to its dependents; this file is the one place that
// relies on it.
internal import CYaml
import PollsterCore

/// Refuses YAML anchors (`&name`) and aliases (`*name`) from libyaml's event stream, before a
/// node graph exists.
///
/// Checking the composed graph alone is too late: composing already expands an alias used as a
/// mapping key (Yams hashes keys to find duplicates), so ten lines of nested aliases as a key
/// take minutes there.
enum YAMLAnchorScan {
    /// Scans `yaml`; syntax errors are left to the parser that follows, which reports them
    /// with their context.
    /// - Throws: `INVALID_CONFIG` at the first anchor or alias.
    static func check(_ yaml: String, source: String) throws(PollsterError) {
        let bytes = Array(yaml.utf8)
        guard !bytes.isEmpty else { return }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let found: (line: Int, kind: String)? = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let line = Int(event.start_mark.line) + 1
                let kind: String?
                switch event.type {
                case YAML_ALIAS_EVENT: kind = "alias"
                case YAML_SCALAR_EVENT: kind = event.data.scalar.anchor != nil ? "anchor" : nil
                case YAML_SEQUENCE_START_EVENT:
                    kind = event.data.sequence_start.anchor != nil ? "anchor" : nil
                case YAML_MAPPING_START_EVENT: kind = event.data.mapping_start.anchor != nil ? "anchor" : nil
                default: kind = nil
                }
                let ended = event.type == YAML_STREAM_END_EVENT
                yaml_event_delete(&event)
                if let kind { return (line, kind) }
                if ended { break }
            }
            return nil
        }
        if let found {
            throw PollsterError(
                .invalidConfig,
                "\(source):\(found.line): a YAML \(found.kind); anchors (&name) and aliases (*name) are not supported, repeat the value instead"
            )
        }
    }
}
