import PollsterCore
import Testing

@Suite("IPAddress and AddressPolicy")
struct IPAddressTests {
    static let valid: [(String, IPAddress, String)] = [
        ("8.8.8.8", .v4(0x0808_0808), "8.8.8.8"),
        ("0.0.0.0", .v4(0), "0.0.0.0"),
        ("255.255.255.255", .v4(0xFFFF_FFFF), "255.255.255.255"),
        ("10.0.0.1", .v4(0x0A00_0001), "10.0.0.1"),
        ("::", .v6(high: 0, low: 0), "::"),
        ("::1", .v6(high: 0, low: 1), "::1"),
        ("[::1]", .v6(high: 0, low: 1), "::1"),
        ("1::", .v6(high: 0x0001_0000_0000_0000, low: 0), "1::"),
        ("2606:4700::1111", .v6(high: 0x2606_4700_0000_0000, low: 0x1111), "2606:4700::1111"),
        (
            "2001:0DB8:0000:0000:0000:0000:0000:0001", .v6(high: 0x2001_0DB8_0000_0000, low: 1),
            "2001:db8::1"
        ),
        ("1:2:3:4:5:6:7:8", .v6(high: 0x0001_0002_0003_0004, low: 0x0005_0006_0007_0008), "1:2:3:4:5:6:7:8"),
        ("1:0:0:2:0:0:0:3", .v6(high: 0x0001_0000_0000_0002, low: 3), "1:0:0:2::3"),
        ("1:2::3:4:5:6:7", .v6(high: 0x0001_0002_0000_0003, low: 0x0004_0005_0006_0007), "1:2:0:3:4:5:6:7"),
        ("fe80::1%eth0", .v6(high: 0xFE80_0000_0000_0000, low: 1), "fe80::1"),
        ("[fe80::1%25en0]", .v6(high: 0xFE80_0000_0000_0000, low: 1), "fe80::1"),
        ("::ffff:1.2.3.4", .v6(high: 0, low: 0xFFFF_0102_0304), "::ffff:1.2.3.4"),
        ("::FFFF:127.0.0.1", .v6(high: 0, low: 0xFFFF_7F00_0001), "::ffff:127.0.0.1"),
        ("::ffff:7f00:1", .v6(high: 0, low: 0xFFFF_7F00_0001), "::ffff:127.0.0.1"),
        ("64:ff9b::10.0.0.1", .v6(high: 0x0064_FF9B_0000_0000, low: 0x0A00_0001), "64:ff9b::a00:1"),
        (
            "1:2:3:4:5:6:1.2.3.4", .v6(high: 0x0001_0002_0003_0004, low: 0x0005_0006_0102_0304),
            "1:2:3:4:5:6:102:304"
        ),
    ]

    @Test("literals parse, and print canonically", arguments: valid)
    func parse(text: String, address: IPAddress, canonical: String) throws {
        let parsed = try #require(IPAddress(text))
        #expect(parsed == address)
        #expect(parsed.description == canonical)
        #expect(IPAddress(parsed.description) == parsed)
    }

    static let invalidCases: [String] = [
        "", "example.com", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "010.0.0.1",
        "0x7f.0.0.1", "1..2.3", "1.2.3.4.", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "١.٢.٣.٤", "[1.2.3.4]",
        "1.2.3.4%eth0", "0177.0.0.1", "2130706433",
        ":", ":::", "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::8",
        ":1::2", "1::2:", "g::1", "::+1", "::1%", "[::1", "::1]", "[]", "::1.2.3", "::256.0.0.1",
        "1.2.3.4::", "::1.2.3.4:5", "fe80::1%eth0%x]", "fe80::1%eth 0", "fe80::1%[x]",
    ]

    @Test("non-literals do not parse", arguments: invalidCases)
    func invalid(text: String) {
        #expect(IPAddress(text) == nil)
    }

    static let refusedCases: [(String, String)] = [
        ("0.0.0.0", "unspecified"), ("0.1.2.3", "unspecified"),
        ("10.0.0.1", "private"), ("10.255.255.255", "private"),
        ("100.64.0.1", "carrier-grade NAT"), ("100.127.255.255", "carrier-grade NAT"),
        ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"),
        ("169.254.169.254", "link-local"),
        ("172.16.0.1", "private"), ("172.31.255.255", "private"),
        ("192.0.0.8", "reserved"), ("192.168.1.1", "private"),
        ("198.18.0.1", "reserved"), ("198.19.255.255", "reserved"),
        ("192.0.2.1", "reserved"), ("198.51.100.7", "reserved"), ("203.0.113.9", "reserved"),
        ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"), ("255.255.255.254", "reserved"), ("255.255.255.255", "broadcast"),
        ("::", "unspecified"), ("[::]", "unspecified"), ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"), ("febf::1", "link-local"), ("fec0::1", "site-local"),
        ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"),
        ("ff02::1", "multicast"), ("ff0e::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.1.2.3", "private"),
        ("::ffff:169.254.1.1", "link-local"),
        ("::ffff:0.0.0.0", "unspecified"), ("::127.0.0.1", "loopback"), ("::192.168.0.1", "private"),
        ("64:ff9b::127.0.0.1", "loopback"), ("64:ff9b::a9fe:a9fe", "link-local"),
        ("64:ff9b:1::1", "reserved"), ("::1:0:0:1", "reserved"),
        ("2002:7f00:1::", "loopback"), ("2002:c0a8:101::1", "private"), ("2001:db8::1", "reserved"),
    ]

    @Test("every refused range is named", arguments: refusedCases)
    func refused(text: String, reason: String) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.nonPublicReason(address) == reason)
    }

    static let publicAddresses: [String] = [
        "8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.1", "100.63.255.255", "100.128.0.1", "126.255.255.255",
        "128.0.0.1", "169.253.0.1", "172.15.255.255", "172.32.0.1", "192.0.1.1", "192.167.1.1",
        "192.169.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.255",
        "2606:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8",
        "64:ff9b::8.8.4.4", "2002:808:808::1", "fbff::1",
    ]

    @Test("public unicast addresses pass", arguments: publicAddresses)
    func publicAddress(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.nonPublicReason(address) == nil)
    }
}
