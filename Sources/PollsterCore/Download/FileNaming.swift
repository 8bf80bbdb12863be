/// Safe output file names.
public enum FileNaming {
    /// The file name of a Content-Disposition header: `filename*=UTF-8''…` wins over `filename=`; nil if none.
    public static func filename(fromContentDisposition header: String) -> String? {
        var plain: String?
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
            guard pair.count == 2 else { continue }
            let key = pair[0].lowercased()
            var value = pair[1]
            if key == "filename*" {
                if let quote = value.firstRange(of: "''") { value = String(value[quote.upperBound...]) }
                if let decoded = PercentEncoding.decode(value), !decoded.isEmpty { return decoded }
            } else if key == "filename" {
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                if !value.isEmpty { plain = value }
            }
        }
        return plain
    }

    /// A name safe to create in a directory: no directory part, no control or special
    /// characters, no leading dots, at most 200 bytes (extension kept); `file` if nothing is left.
    public static func sanitize(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var output = ""
        var lastWasUnderscore = false
        for scalar in base.unicodeScalars {
            let keep =
                scalar.isASCII
                ? (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || ".-_".unicodeScalars.contains(scalar))
                : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
            if keep {
                output.unicodeScalars.append(scalar)
                lastWasUnderscore = scalar == "_"
            } else if !lastWasUnderscore {
                output.append("_")
                lastWasUnderscore = true
            }
        }
        while output.hasPrefix(".") { output.removeFirst() }
        if output.utf8.count > 200 {
            let ext = output.lastIndex(of: ".").map { String(output[$0...]) } ?? ""
            let keepExt = ext.utf8.count <= 16 ? ext : ""
            var stem = String(output.dropLast(keepExt.count))
            while stem.utf8.count + keepExt.utf8.count > 200 { stem.removeLast() }
            output = stem + keepExt
        }
        return output.isEmpty || output == "_" ? "file" : output
    }

    /// `{method}-{taskId}[-{n}].{ext}`, sanitized.
    public static func defaultName(method: String, taskId: String, index: Int?, fileExtension: String?)
        -> String
    {
        // Ids may contain separators ("a/b"): flatten them so no part is taken for a directory.
        let flatId = String(taskId.map { $0 == "/" || $0 == "\\" ? "_" : $0 })
        let stem = "\(method)-\(flatId)" + (index.map { "-\($0)" } ?? "")
        return sanitize(stem + (fileExtension.map { ".\($0)" } ?? ""))
    }
}
