/// A client reference made up for one invocation: a random UUID (version 4), kept as its 16
/// bytes and spelled out (lowercase, `8-4-4-4-12`) only when a request reads it — the submit's
/// idempotency header or reconcile tag, a `{reference}` template. As a string it would take a
/// heap allocation in every waiting job.
package struct GeneratedReference: Sendable, Equatable {
    let high: UInt64
    let low: UInt64

    /// A new random reference.
    package init(using random: inout some RandomNumberGenerator) {
        // Version 4 in the high nibble of byte 6, variant 0b10 in the top bits of byte 8.
        high = (random.next() & ~0xF000) | 0x4000
        low = (random.next() & ~0xC000_0000_0000_0000) | 0x8000_0000_0000_0000
    }

    /// The reference as a lowercase UUID string.
    package var text: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (index, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if [8, 12, 16, 20].contains(position) { bytes.append(UInt8(ascii: "-")) }
                bytes.append(digits[Int((word >> UInt64(60 - nibble * 4)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
