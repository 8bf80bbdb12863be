import Foundation

/// Parses `Retry-After` headers.
///
/// ```swift
/// RetryAfter.delay(from: "120", now: Date())                            // 120 seconds
/// RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:37 GMT", now: Date())  // .zero, long past
/// ```
package enum RetryAfter {
    /// Longest delay returned (about 68 years), so absurd values cannot overflow.
    private static let maximumSeconds: Int64 = Int64(Int32.max)

    /// The delay a `Retry-After` header asks for, measured from `now`.
    ///
    /// Accepts delta-seconds (`120`; a fraction like `1.5` is tolerated) or an HTTP-date in
    /// any of its three forms: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850
    /// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`. Dates are
    /// parsed by hand, without a formatter.
    /// - Parameters:
    ///   - header: The header value.
    ///   - now: The current time, to turn a date into a delay.
    /// - Returns: The delay, never negative (a past date gives `.zero`), capped at about 68
    ///   years; nil if the value is not one of the forms above.
    package static func delay(from header: String, now: Date) -> Duration? {
        let text = header.trimmingWhitespace()
        if let seconds = deltaSeconds(text) { return seconds }
        guard let date = httpDate(text, now: now) else { return nil }
        let interval = date.timeIntervalSince(now)
        guard interval > 0 else { return .zero }
        return interval >= Double(maximumSeconds) ? .seconds(maximumSeconds) : .seconds(interval)
    }

    /// Headers that give the delay in milliseconds (Azure's SDKs read them before `Retry-After`).
    package static let millisecondHeaders = ["retry-after-ms", "x-ms-retry-after-ms"]

    /// The delay a `retry-after-ms` header asks for (`1500` is 1.5 s); nil if it is not a number.
    package static func delay(milliseconds header: String) -> Duration? {
        deltaSeconds(header.trimmingWhitespace()).map { $0 / 1000 }
    }

    /// `digits[.digits]`, exact to the nanosecond; nil for signs, exponents, `inf` and the like.
    private static func deltaSeconds(_ text: String) -> Duration? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in part.utf8.allSatisfy { (0x30...0x39).contains($0) } }
        guard let whole = parts.first, !whole.isEmpty, isDigits(whole) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (!fraction.isEmpty && isDigits(fraction)) else { return nil }
        let significant = whole.drop { $0 == "0" }
        guard significant.count <= 10, let seconds = Int64(whole), seconds < maximumSeconds else {
            return .seconds(maximumSeconds)
        }
        var nanos: Int64 = 0
        var scale: Int64 = 100_000_000
        for digit in fraction.utf8.prefix(9) {
            nanos += Int64(digit - 0x30) * scale
            scale /= 10
        }
        return .seconds(seconds) + .nanoseconds(nanos)
    }
}

extension RetryAfter {
    private static let shortWeekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longWeekdays = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]
    private static let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]

    /// An HTTP-date in any of its three forms (RFC 9110 section 5.6.7), names case-insensitive.
    ///
    /// A two-digit RFC 850 year that would be more than 50 years after `now` means the
    /// most recent past year with those digits.
    static func httpDate(_ text: String, now: Date) -> Date? {
        let tokens = text.split(separator: " ")
        guard let first = tokens.first else { return nil }
        guard first.hasSuffix(",") else {
            // asctime: `Sun Nov  6 08:49:37 1994`
            guard tokens.count == 5, isWeekday(first), let month = month(tokens[1]),
                let day = number(tokens[2], digits: 1...2), let year = number(tokens[4], digits: 4...4)
            else { return nil }
            return date(year: year, month: month, day: day, time: tokens[3])
        }
        guard isWeekday(first.dropLast()), let zone = tokens.last, isGMT(zone) else { return nil }
        if tokens.count == 6 {
            // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
            guard let day = number(tokens[1], digits: 1...2), let month = month(tokens[2]),
                let year = number(tokens[3], digits: 4...4)
            else { return nil }
            return date(year: year, month: month, day: day, time: tokens[4])
        }
        // RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
        let parts = tokens.count == 4 ? tokens[1].split(separator: "-", omittingEmptySubsequences: false) : []
        guard parts.count == 3, let day = number(parts[0], digits: 1...2), let month = month(parts[1]),
            let year = number(parts[2], digits: 2...4), parts[2].count != 3
        else { return nil }
        let fullYear = parts[2].count == 2 ? expandTwoDigitYear(year, now: now) : year
        return date(year: fullYear, month: month, day: day, time: tokens[2])
    }

    private static func isWeekday(_ token: Substring) -> Bool {
        let name = token.lowercased()
        return shortWeekdays.contains(name) || longWeekdays.contains(name)
    }

    private static func isGMT(_ token: Substring) -> Bool {
        token.uppercased() == "GMT" || token.uppercased() == "UTC"
    }

    private static func month(_ token: Substring) -> Int? {
        months.firstIndex(of: token.lowercased()).map { $0 + 1 }
    }

    /// A decimal number of the given number of ASCII digits.
    private static func number(_ token: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(token.utf8.count), token.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return token.utf8.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The date at `HH:MM:SS` GMT on a valid calendar day.
    private static func date(year: Int, month: Int, day: Int, time: Substring) -> Date? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let hour = number(parts[0], digits: 2...2),
            let minute = number(parts[1], digits: 2...2), let second = number(parts[2], digits: 2...2),
            hour < 24, minute < 60, second <= 60, (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The Gregorian year that contains `days` since 1970-01-01 (inverse of the above).
    private static func year(ofDaysSinceEpoch days: Int) -> Int {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        return yearOfEra + era * 400 + (monthIndex >= 10 ? 1 : 0)
    }

    /// RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    private static func expandTwoDigitYear(_ twoDigits: Int, now: Date) -> Int {
        let days = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
        let current = year(ofDaysSinceEpoch: days)
        var year = current - current % 100 + twoDigits
        if year > current + 50 { year -= 100 } else if year + 100 <= current + 50 { year += 100 }
        return year
    }
}
