import NIOCore

/// Splits a `text/event-stream` body into lines as its chunks arrive (a line may span chunks).
struct EventStreamLines {
    private var partial: [UInt8] = []

    /// The lines completed by `buffer`, without their line ends.
    mutating func feed(_ buffer: ByteBuffer) -> [String] {
        var lines: [String] = []
        for byte in buffer.readableBytesView {
            if byte == UInt8(ascii: "\n") {
                if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
                lines.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(byte)
            }
        }
        return lines
    }
}
