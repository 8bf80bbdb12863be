import Foundation
import Histogram

/// A flat JSON object of figures, written by each scenario.
struct Report {
    private var fields: [(String, Any)] = []

    subscript(key: String) -> Any? {
        get { fields.first { $0.0 == key }?.1 }
        set {
            fields.removeAll { $0.0 == key }
            if let newValue { fields.append((key, newValue)) }
        }
    }

    /// `p50`, `p90`, `p99`, `max` and `count` of a histogram of microseconds, in milliseconds.
    mutating func add(_ name: String, milliseconds histogram: Histogram<UInt64>) {
        self[name] = [
            "count": Int(histogram.totalCount),
            "p50": Double(histogram.valueAtPercentile(50)) / 1000,
            "p90": Double(histogram.valueAtPercentile(90)) / 1000,
            "p99": Double(histogram.valueAtPercentile(99)) / 1000,
            "max": Double(histogram.max) / 1000,
        ]
    }

    /// Writes the object to `path`, or standard output when nil.
    func write(to path: String?) throws {
        let object = Dictionary(fields, uniquingKeysWith: { $1 })
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        if let path {
            try data.write(to: URL(fileURLWithPath: path))
        } else {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}

extension Duration {
    /// Whole microseconds, clamped at zero.
    var microseconds: UInt64 {
        let (seconds, attoseconds) = components
        let value = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return value > 0 ? UInt64(value) : 0
    }

    /// Fractional seconds.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
