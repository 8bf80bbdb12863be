import Foundation

/// Parses `Retry-After` headers.
public enum RetryAfter {
    /// The delay a `Retry-After` value asks for: delta-seconds or an HTTP-date (IMF-fixdate,
    /// RFC 850, asctime). Past dates give zero; nil if unparseable.
    public static func delay(from header: String, now: Date) -> Duration? {
        let text = header.trimmingWhitespace()
        if let seconds = Double(text), seconds.isFinite {
            return .milliseconds(Int64(max(0, seconds) * 1000))
        }
        guard let date = httpDate(text) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .milliseconds(Int64(interval * 1000)) : .zero
    }

    private static let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]

    /// Parses the three HTTP-date forms by hand (no formatter on the hot path).
    static func httpDate(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        var day: Int?
        var month: Int?
        var year: Int?
        var time: [Int]?
        for token in tokens {
            if token.contains(":") {
                let parts = token.split(separator: ":").compactMap { Int($0) }
                if parts.count == 3 { time = parts }
            } else if let index = months.firstIndex(of: token.lowercased().prefix(3).description),
                token.count >= 3,
                Int(token) == nil
            {
                if token.count == 3 || ["june", "july"].contains(token.lowercased()) || token.count > 3 {
                    if months.contains(token.lowercased()) || token.count == 3 { month = index + 1 }
                }
            } else if let number = Int(token) {
                if token.count == 4 {
                    year = number
                } else if day == nil && number <= 31 && (month == nil || year == nil) && token.count <= 2
                    && tokens.firstIndex(of: token)! < 4 && year == nil && day == nil
                {
                    day = number
                } else if token.count == 2 && year == nil {
                    year = number < 70 ? 2000 + number : 1900 + number
                }
            }
        }
        guard let day, let month, let year, let time, (1...31).contains(day), time[0] < 24, time[1] < 60,
            time[2] < 61
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = time[0]
        components.minute = time[1]
        components.second = time[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        return calendar.date(from: components)
    }
}
