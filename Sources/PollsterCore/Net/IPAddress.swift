/// An IPv4 or IPv6 address parsed from text.
///
/// Parsing is strict so that a host name can never be mistaken for an address (or the
/// other way round): `IPAddress("010.0.0.1")` and `IPAddress("1.2.3")` are nil, as
/// they are not unambiguous IP literals.
///
/// ```swift
/// IPAddress("[fe80::1%eth0]")?.description  // "fe80::1"
/// ```
package enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, most significant octet first (`127.0.0.1` is `0x7F00_0001`).
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves, most significant half first.
    case v6(high: UInt64, low: UInt64)

    /// Parses dotted-quad IPv4 or IPv6 text; nil when the text is not an IP literal.
    ///
    /// IPv4 must be exactly four decimal parts 0–255 without leading zeros. IPv6 may use
    /// `::` compression, end in an embedded IPv4 address (`::ffff:1.2.3.4`), be wrapped in
    /// `[brackets]` and carry a `%zone` suffix, which is ignored.
    /// - Parameter text: The literal, without surrounding whitespace.
    package init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var bracketed = false
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "]") else { return nil }
            bytes = bytes.dropFirst().dropLast()
            bracketed = true
        }
        var zoned = false
        if let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            let zone = bytes[(percent + 1)...]
            guard !zone.isEmpty, zone.allSatisfy(Self.isZoneByte) else { return nil }
            bytes = bytes[..<percent]
            zoned = true
        }
        if !bracketed, !zoned, let value = Self.parseV4(bytes) {
            self = .v4(value)
        } else if let groups = Self.parseV6(bytes) {
            self.init(groups: groups)
        } else {
            return nil
        }
    }

    /// Builds an IPv6 address from its eight 16-bit groups.
    init(groups: [UInt16]) {
        precondition(groups.count == 8, "an IPv6 address has eight groups")
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        self = .v6(high: high, low: low)
    }

    /// The eight 16-bit groups of an IPv6 address; empty for IPv4.
    var groups: [UInt16] {
        guard case .v6(let high, let low) = self else { return [] }
        return [48, 32, 16, 0].map { UInt16(truncatingIfNeeded: high >> $0) }
            + [48, 32, 16, 0].map { UInt16(truncatingIfNeeded: low >> $0) }
    }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`,
    /// IPv4-mapped addresses as `::ffff:a.b.c.d`).
    package var description: String {
        switch self {
        case .v4(let value):
            return Self.dotted(value)
        case .v6(let high, let low):
            if high == 0, low >> 32 == 0xFFFF {
                return "::ffff:" + Self.dotted(UInt32(truncatingIfNeeded: low))
            }
            return Self.compressed(groups)
        }
    }

    private static func dotted(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String((value >> $0) & 0xFF) }.joined(separator: ".")
    }

    private static func compressed(_ groups: [UInt16]) -> String {
        var best: Range<Int>?
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < groups.count, groups[index] == 0 { index += 1 }
            if index - start >= 2, index - start > (best?.count ?? 0) { best = start..<index }
        }
        let hex = { (slice: ArraySlice<UInt16>) in slice.map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard let best else { return hex(groups[...]) }
        return hex(groups[..<best.lowerBound]) + "::" + hex(groups[best.upperBound...])
    }
}

extension IPAddress {
    /// Strict dotted quad: four decimal parts 0–255, no leading zeros, nothing else.
    private static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(isDecimalDigit),
                part.count == 1 || part.first != UInt8(ascii: "0")
            else { return nil }
            let octet = part.reduce(UInt32(0)) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// IPv6 text to eight groups: at most one `::`, groups of 1–4 hex digits, and an
    /// optional embedded IPv4 address in place of the last two groups.
    private static func parseV6(_ bytes: ArraySlice<UInt8>) -> [UInt16]? {
        let colon = UInt8(ascii: ":")
        guard bytes.contains(colon) else { return nil }
        var doubleColon: ArraySlice<UInt8>.Index?
        var index = bytes.startIndex
        while index < bytes.endIndex - 1 {
            if bytes[index] == colon, bytes[index + 1] == colon {
                doubleColon = index
                break
            }
            index += 1
        }
        guard let doubleColon else {
            guard let all = groups(bytes, allowV4Tail: true), all.count == 8 else { return nil }
            return all
        }
        guard let head = groups(bytes[..<doubleColon], allowV4Tail: false),
            let tail = groups(bytes[(doubleColon + 2)...], allowV4Tail: true),
            head.count + tail.count <= 7
        else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// Colon-separated groups; nil on an empty group (a stray `:`) or a bad one.
    private static func groups(_ bytes: ArraySlice<UInt8>, allowV4Tail: Bool) -> [UInt16]? {
        if bytes.isEmpty { return [] }
        let pieces = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (offset, piece) in pieces.enumerated() {
            if allowV4Tail, offset == pieces.count - 1, piece.contains(UInt8(ascii: ".")) {
                guard let v4 = parseV4(piece) else { return nil }
                result += [UInt16(truncatingIfNeeded: v4 >> 16), UInt16(truncatingIfNeeded: v4)]
                continue
            }
            guard (1...4).contains(piece.count) else { return nil }
            var group: UInt16 = 0
            for byte in piece {
                guard let digit = Hex.value(of: byte) else { return nil }
                group = group << 4 | UInt16(digit)
            }
            result.append(group)
        }
        return result.count <= 8 ? result : nil
    }

    /// RFC 6874 zone id characters: unreserved, plus `%` for a percent-encoded `%25`.
    private static func isZoneByte(_ byte: UInt8) -> Bool {
        isDecimalDigit(byte) || "-._~%".utf8.contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
