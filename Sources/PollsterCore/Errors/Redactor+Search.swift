extension Redactor {
    /// Whether `form` may occur in `text`, as a cheap test before `String.replacing`.
    ///
    /// When both are ASCII (ids, URLs, statuses, tokens: nearly every string a result holds) their
    /// UTF-8 bytes are searched. `String.contains` gives the same answer there (a byte match that
    /// splits a `\r\n` is the one more it finds, and `replacing` then leaves the text as it is), at
    /// many times the cost: it builds a search table for every call, which was 8 % of a client's
    /// CPU when each result was redacted (docs/benchmarks.md). Other text keeps `contains`, whose
    /// Unicode equivalence (a Kelvin sign matching `K`) the bytes would miss.
    static func mayContain(_ text: String, _ form: String, textIsASCII: Bool) -> Bool {
        guard textIsASCII else { return text.contains(form) }
        let found = text.utf8.withContiguousStorageIfAvailable { haystack in
            form.utf8.withContiguousStorageIfAvailable { needle in
                isASCII(needle) ? occurs(needle, in: haystack) : nil
            } ?? nil
        }
        return (found ?? nil) ?? text.contains(form)
    }

    /// Whether every byte of `text` is ASCII.
    static func isASCII(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable(isASCII) ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.allSatisfy { $0 < 0x80 }
    }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    private static func occurs(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>)
        -> Bool
    {
        guard let first = needle.first else { return true }
        guard needle.count <= haystack.count else { return false }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
