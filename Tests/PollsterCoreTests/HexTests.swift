import Foundation
import PollsterCore
import Testing

@Suite("Hex")
struct HexTests {
    @Test("lowercase hex matches %02x for every byte, in order")
    func everyByte() {
        let bytes = (0...255).map(UInt8.init)
        #expect(Hex.lowercase(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.lowercase([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Hex.lowercase([UInt8]()) == "")
    }
}
