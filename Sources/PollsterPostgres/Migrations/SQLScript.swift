/// Splits an SQL script into its statements.
///
/// PostgresNIO speaks the extended query protocol, which runs one statement per query, so
/// a migration file is cut at every `;` that is not inside a string (`'…'`, `E'…'`), a quoted
/// identifier (`"…"`), a dollar-quoted body (`$$…$$`, `$tag$…$tag$`) or a comment (`--`,
/// nested `/* */`). Statements that hold only comments are dropped.
package enum SQLScript {
    /// The statements of `script`, trimmed, without their terminating `;`.
    package static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func flush() {
            let text = String(current).trimmingWhitespaceAndNewlines()
            if hasCode, !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }

        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let end: Int
            switch character {
            case "-" where next == "-":
                end = characters[index...].firstIndex(of: "\n") ?? characters.count
            case "/" where next == "*":
                end = blockCommentEnd(characters, from: index)
            case "'":
                hasCode = true
                let escapes = index > 0 && (characters[index - 1] == "E" || characters[index - 1] == "e")
                end = quotedEnd(characters, from: index, quote: "'", backslashEscapes: escapes)
            case "\"":
                hasCode = true
                end = quotedEnd(characters, from: index, quote: "\"", backslashEscapes: false)
            case "$":
                hasCode = true
                let insideWord = index > 0 && isWordCharacter(characters[index - 1])
                end = insideWord ? index + 1 : dollarQuotedEnd(characters, from: index) ?? index + 1
            case ";":
                flush()
                index += 1
                continue
            default:
                if !character.properties.isWhitespace { hasCode = true }
                end = index + 1
            }
            current.append(contentsOf: characters[index..<end])
            index = end
        }
        flush()
        return statements
    }

    private static func isWordCharacter(_ character: Unicode.Scalar) -> Bool {
        character == "_" || character == "$" || character.properties.isAlphabetic
            || ("0"..."9").contains(character)
    }

    /// The index after a (possibly nested) `/* … */` comment.
    private static func blockCommentEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < characters.count {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if characters[index] == "/", next == "*" {
                depth += 1
                index += 2
            } else if characters[index] == "*", next == "/" {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return characters.count
    }

    /// The index after a quoted string or identifier (a doubled quote stays inside).
    private static func quotedEnd(
        _ characters: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar, backslashEscapes: Bool
    ) -> Int {
        var index = start + 1
        while index < characters.count {
            if backslashEscapes, characters[index] == "\\" {
                index += 2
            } else if characters[index] == quote {
                if index + 1 < characters.count, characters[index + 1] == quote {
                    index += 2
                } else {
                    return index + 1
                }
            } else {
                index += 1
            }
        }
        return characters.count
    }

    /// The index after a dollar-quoted body, or nil when `$` does not open one (`$1`, `a$b`).
    private static func dollarQuotedEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < characters.count, characters[index] != "$" {
            let character = characters[index]
            let isTagCharacter =
                character == "_" || character.properties.isAlphabetic
                || (index > start + 1 && ("0"..."9").contains(character))
            guard isTagCharacter else { return nil }
            index += 1
        }
        guard index < characters.count else { return nil }
        let tag = Array(characters[start...index])
        var search = index + 1
        while search + tag.count <= characters.count {
            if characters[search] == "$", Array(characters[search..<(search + tag.count)]) == tag {
                return search + tag.count
            }
            search += 1
        }
        return characters.count
    }
}

extension String {
    fileprivate func trimmingWhitespaceAndNewlines() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
