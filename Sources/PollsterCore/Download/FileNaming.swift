/// Safe output file names.
///
/// A name taken from a provider (a Content-Disposition header, a task id) is untrusted:
/// `sanitize` makes it a single, visible, portable file name before anything is created.
///
/// ```swift
/// FileNaming.sanitize("../../etc/passwd")  // "passwd"
/// FileNaming.defaultName(method: "render", taskId: "t1", index: 2, fileExtension: "mp4")
/// // "render-t1-2.mp4"
/// ```
package enum FileNaming {
    /// The longest name `sanitize` returns, in UTF-8 bytes.
    private static let maximumBytes = 200
    /// The longest extension (with its dot) kept when a name is shortened.
    private static let maximumExtensionBytes = 16

    /// The file name in a Content-Disposition header, or nil if it names none.
    ///
    /// RFC 6266 / RFC 5987 `filename*=UTF-8''percent-encoded` (or `ISO-8859-1''…`) wins over
    /// `filename="quoted"` and `filename=token`, whatever their order. The result is not yet
    /// safe to use: pass it through ``sanitize(_:)``.
    /// - Parameter header: The header value, for example `attachment; filename="a.mp4"`.
    package static func filename(fromContentDisposition header: String) -> String? {
        var plain: String?
        for (name, value) in parameters(ofContentDisposition: header) {
            switch name {
            case "filename*":
                if let decoded = decodeExtendedValue(value), !decoded.isEmpty { return decoded }
            case "filename" where plain == nil && !value.isEmpty:
                plain = value
            default:
                continue
            }
        }
        return plain
    }

    /// Makes a name safe to create in a directory.
    ///
    /// Strips any directory part (`/` and `\`), removes control characters, replaces
    /// characters other than `A-Z a-z 0-9 . _ -` and Unicode letters and digits with `_`,
    /// collapses runs of `_`, strips leading dots (no hidden files, no `..`), caps the length
    /// at 200 UTF-8 bytes keeping a short extension, and returns `file` if nothing is left.
    package static func sanitize(_ name: String) -> String {
        if isPortableAlready(name) { return name }
        let visible = String(String.UnicodeScalarView(name.unicodeScalars.filter { !isControl($0) }))
        let base = visible.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
        var output = ""
        for character in base {
            let replacement = isAllowed(character) ? character : "_"
            if replacement == "_", output.last == "_" { continue }
            output.append(replacement)
        }
        output = String(output.drop { $0 == "." })
        output = capped(output)
        return output.isEmpty || output == "_" ? "file" : output
    }

    /// The name of a downloaded file whose response did not name it.
    ///
    /// `{method}-{taskId}[-{n}].{ext}`, sanitized; separators in the method or task id
    /// become `_` rather than being read as directories.
    /// - Parameters:
    ///   - method: The tool method, for example `render`.
    ///   - taskId: The provider's task id.
    ///   - index: Nil for a job's only file, else its 1-based position.
    ///   - fileExtension: The extension without a dot (a leading dot is tolerated), if known.
    package static func defaultName(method: String, taskId: String, index: Int?, fileExtension: String?)
        -> String
    {
        let flatten = { (part: String) in String(part.map { $0 == "/" || $0 == "\\" ? "_" : $0 }) }
        var name = "\(flatten(method))-\(flatten(taskId))"
        if let index { name += "-\(index)" }
        if let ext = fileExtension.map({ flatten(String($0.drop { $0 == "." })) }), !ext.isEmpty {
            name += ".\(ext)"
        }
        return sanitize(name)
    }

    /// True when `sanitize` would return `name` as it is: `A-Z a-z 0-9 . _ -` only, no `__`, no
    /// leading dot, not `_` alone, within the length cap. Most names are (every default name of a
    /// plain task id), and this check costs no Unicode lookups.
    private static func isPortableAlready(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, first != UInt8(ascii: "."), bytes.count <= maximumBytes, name != "_"
        else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"):
                break
            case UInt8(ascii: "_") where previous != UInt8(ascii: "_"):
                break
            default:
                return false
            }
            previous = byte
        }
        return true
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// `.`, `_` or `-` alone; or a letter or decimal digit of any script followed by any
    /// combining marks (so decomposed accents survive).
    private static func isAllowed(_ character: Character) -> Bool {
        var scalars = character.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return false }
        if "._-".unicodeScalars.contains(first) { return character.unicodeScalars.count == 1 }
        switch first.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber:
            break
        default:
            return false
        }
        while let next = scalars.next() {
            switch next.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default: return false
            }
        }
        return true
    }

    /// At most `maximumBytes` UTF-8 bytes, cut at a character boundary, keeping the
    /// extension when it is short.
    private static func capped(_ name: String) -> String {
        guard name.utf8.count > maximumBytes else { return name }
        var ext = ""
        if let dot = name.lastIndex(of: "."), dot != name.startIndex,
            name.utf8[dot...].count <= maximumExtensionBytes
        {
            ext = String(name[dot...])
        }
        let budget = maximumBytes - ext.utf8.count
        var stem = ""
        var used = 0
        for character in name.dropLast(ext.count) {
            let size = character.utf8.count
            guard used + size <= budget else { break }
            stem.append(character)
            used += size
        }
        return stem + ext
    }

    /// The `name=value` parameters of a header, names lowercased, quoted strings unescaped.
    /// Bare tokens (the disposition type) are skipped; `;` inside quotes does not split.
    private static func parameters(ofContentDisposition header: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var index = header.startIndex
        func advance() { index = header.index(after: index) }
        func skip(while condition: (Character) -> Bool) {
            while index < header.endIndex, condition(header[index]) { advance() }
        }
        while index < header.endIndex {
            let nameStart = index
            skip { $0 != "=" && $0 != ";" }
            let name = String(header[nameStart..<index]).trimmingWhitespace().lowercased()
            guard index < header.endIndex, header[index] == "=" else {
                if index < header.endIndex { advance() }
                continue
            }
            advance()
            skip { $0 == " " || $0 == "\t" }
            var value = ""
            if index < header.endIndex, header[index] == "\"" {
                advance()
                while index < header.endIndex, header[index] != "\"" {
                    if header[index] == "\\", header.index(after: index) < header.endIndex { advance() }
                    value.append(header[index])
                    advance()
                }
                skip { $0 != ";" }
            } else {
                let valueStart = index
                skip { $0 != ";" }
                value = String(header[valueStart..<index]).trimmingWhitespace()
            }
            if index < header.endIndex { advance() }
            result.append((name, value))
        }
        return result
    }

    /// An RFC 5987 ext-value `charset'language'percent-encoded`, for UTF-8 and ISO-8859-1.
    private static func decodeExtendedValue(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let encoded = String(parts[2])
        switch parts[0].lowercased() {
        case "utf-8":
            return PercentEncoding.decode(encoded)
        case "iso-8859-1", "latin1":
            guard let bytes = PercentEncoding.decodedBytes(encoded) else { return nil }
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            return nil
        }
    }
}
