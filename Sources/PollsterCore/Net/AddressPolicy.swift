/// Which addresses count as public, for the download SSRF policy.
public enum AddressPolicy {
    private static let v4Ranges: [(base: UInt32, bits: UInt32, reason: String)] = [
        (0x0000_0000, 8, "unspecified"), (0x0A00_0000, 8, "private"), (0x6440_0000, 10, "carrier-grade NAT"),
        (0x7F00_0000, 8, "loopback"), (0xA9FE_0000, 16, "link-local"), (0xAC10_0000, 12, "private"),
        (0xC000_0000, 24, "reserved"), (0xC0A8_0000, 16, "private"), (0xC612_0000, 15, "reserved"),
        (0xE000_0000, 4, "multicast"), (0xF000_0000, 4, "reserved"),
    ]

    /// Why an address is not public (`loopback`, `private`, …), or nil for a public unicast address.
    public static func nonPublicReason(_ address: IPAddress) -> String? {
        switch address {
        case .v4(let value):
            for range in v4Ranges {
                let mask: UInt32 = range.bits == 0 ? 0 : ~UInt32(0) << (32 - range.bits)
                if value & mask == range.base { return range.reason }
            }
            return nil
        case .v6(let groups):
            if groups.allSatisfy({ $0 == 0 }) { return "unspecified" }
            if groups.dropLast().allSatisfy({ $0 == 0 }) && groups[7] == 1 { return "loopback" }
            let embedded = UInt32(groups[6]) << 16 | UInt32(groups[7])
            if groups[0..<5].allSatisfy({ $0 == 0 }) && (groups[5] == 0xFFFF || groups[5] == 0) {
                return nonPublicReason(.v4(embedded))
            }
            if groups[0] == 0x64 && groups[1] == 0xFF9B && groups[2..<6].allSatisfy({ $0 == 0 }) {
                return nonPublicReason(.v4(embedded))
            }
            if groups[0] & 0xFFC0 == 0xFE80 { return "link-local" }
            if groups[0] & 0xFE00 == 0xFC00 { return "unique-local" }
            if groups[0] & 0xFF00 == 0xFF00 { return "multicast" }
            return nil
        }
    }
}
