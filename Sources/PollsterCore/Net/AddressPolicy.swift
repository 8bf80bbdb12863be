/// Which addresses count as public, for the download SSRF policy.
///
/// A download may only reach public unicast addresses unless the policy allows private
/// networks. IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64
/// `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that IPv4 address, so
/// `::ffff:127.0.0.1` is as much loopback as `127.0.0.1`.
///
/// ```swift
/// AddressPolicy.nonPublicReason(IPAddress("169.254.169.254")!)  // "link-local"
/// AddressPolicy.nonPublicReason(IPAddress("8.8.8.8")!)          // nil
/// ```
package enum AddressPolicy {
    private struct Block {
        var base: UInt32
        var prefixLength: UInt32
        var reason: String

        func contains(_ value: UInt32) -> Bool {
            let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength)
            return value & mask == base
        }
    }

    /// Refused IPv4 blocks, most specific first where they overlap.
    private static let v4Blocks: [Block] = [
        Block(base: 0xFFFF_FFFF, prefixLength: 32, reason: "broadcast"),
        Block(base: 0x0000_0000, prefixLength: 8, reason: "unspecified"),
        Block(base: 0x0A00_0000, prefixLength: 8, reason: "private"),
        Block(base: 0x6440_0000, prefixLength: 10, reason: "carrier-grade NAT"),
        Block(base: 0x7F00_0000, prefixLength: 8, reason: "loopback"),
        Block(base: 0xA9FE_0000, prefixLength: 16, reason: "link-local"),
        Block(base: 0xAC10_0000, prefixLength: 12, reason: "private"),
        Block(base: 0xC000_0000, prefixLength: 24, reason: "reserved"),  // IETF protocol assignments
        Block(base: 0xC000_0200, prefixLength: 24, reason: "reserved"),  // TEST-NET-1 documentation
        Block(base: 0xC0A8_0000, prefixLength: 16, reason: "private"),
        Block(base: 0xC612_0000, prefixLength: 15, reason: "reserved"),  // benchmarking
        Block(base: 0xC633_6400, prefixLength: 24, reason: "reserved"),  // TEST-NET-2 documentation
        Block(base: 0xCB00_7100, prefixLength: 24, reason: "reserved"),  // TEST-NET-3 documentation
        Block(base: 0xE000_0000, prefixLength: 4, reason: "multicast"),
        Block(base: 0xF000_0000, prefixLength: 4, reason: "reserved"),
    ]

    /// Why an address is not public, or nil if it is a public unicast address.
    ///
    /// Reasons: `unspecified`, `loopback`, `private`, `carrier-grade NAT`, `link-local`,
    /// `unique-local`, `site-local`, `multicast`, `broadcast`, `reserved`.
    /// - Parameter address: A parsed address, for example one a host name resolved to.
    /// - Returns: A short, human-readable reason to put in an `UNSAFE_URL` message, or nil.
    package static func nonPublicReason(_ address: IPAddress) -> String? {
        switch address {
        case .v4(let value):
            return v4Blocks.first { $0.contains(value) }?.reason
        case .v6(let high, let low):
            return v6Reason(high: high, low: low)
        }
    }

    /// Whether `host` (a name or an address literal, IPv6 in brackets or not) names this machine:
    /// `localhost`, or an address literal in 127.0.0.0/8 or `::1`. Names that only start like
    /// one (`127.0.0.1.nip.io`) do not.
    package static func isLoopback(host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        guard let address = IPAddress(host) else { return false }
        return nonPublicReason(address) == "loopback"
    }

    private static func v6Reason(high: UInt64, low: UInt64) -> String? {
        let embedded = UInt32(truncatingIfNeeded: low)
        if high == 0 {
            switch low {
            case 0: return "unspecified"
            case 1: return "loopback"
            case _ where low >> 32 == 0xFFFF || low >> 32 == 0:
                // IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d.
                return nonPublicReason(.v4(embedded))
            default: return "reserved"  // ::/8 holds no global unicast
            }
        }
        if high == 0x0064_FF9B_0000_0000, low >> 32 == 0 {  // NAT64 64:ff9b::/96
            return nonPublicReason(.v4(embedded))
        }
        let first = UInt16(truncatingIfNeeded: high >> 48)
        if first >> 8 == 0 { return "reserved" }  // the rest of ::/8, including local-use NAT64
        if first == 0x2002 {  // 6to4: the IPv4 address sits in bits 16–47
            return nonPublicReason(.v4(UInt32(truncatingIfNeeded: high >> 16)))
        }
        if high >> 32 == 0x2001_0DB8 { return "reserved" }  // documentation 2001:db8::/32
        switch first {
        case 0xFE80...0xFEBF: return "link-local"
        case 0xFEC0...0xFEFF: return "site-local"
        case 0xFC00...0xFDFF: return "unique-local"
        case 0xFF00...0xFFFF: return "multicast"
        default: return nil
        }
    }
}
