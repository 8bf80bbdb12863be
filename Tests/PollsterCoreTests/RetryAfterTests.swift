import Foundation
import PollsterCore
import Testing

@Suite("RetryAfter")
struct RetryAfterTests {
    /// 1994-11-06 08:49:00 GMT.
    static let now = Date(timeIntervalSince1970: 784_111_740)

    static let cases: [(String, Double)] = [
        // delta-seconds
        ("120", 120), ("0", 0), (" 5 ", 5), ("007", 7), ("1.5", 1.5), ("0.25", 0.25),
        ("2.000000001", 2.000000001),
        ("86400", 86_400),
        // IMF-fixdate
        ("Sun, 06 Nov 1994 08:49:37 GMT", 37), ("Sun, 06 Nov 1994 09:49:00 GMT", 3_600),
        ("Mon, 07 Nov 1994 08:49:00 GMT", 86_400), ("sun, 06 nov 1994 08:49:37 gmt", 37),
        ("Thu, 01 Dec 1994 00:00:00 GMT", 2_128_260), ("Tue, 28 Feb 1995 08:49:00 GMT", 9_849_600),
        // obsolete RFC 850
        ("Sunday, 06-Nov-94 08:49:37 GMT", 37), ("Monday, 07-Nov-94 08:49:00 GMT", 86_400),
        // asctime
        ("Sun Nov  6 08:49:37 1994", 37), ("Sun Nov 06 08:50:00 1994", 60),
        // past dates give zero
        ("Sun, 06 Nov 1994 08:48:00 GMT", 0), ("Sun, 06 Nov 1994 08:49:00 GMT", 0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0), ("Saturday, 05-Nov-94 08:49:37 GMT", 0),
        ("Sat Nov  5 08:49:37 1994", 0),
    ]

    @Test("seconds and the three HTTP-date forms", arguments: cases)
    func delay(header: String, seconds: Double) throws {
        let delay = try #require(RetryAfter.delay(from: header, now: Self.now))
        #expect(abs(delay.seconds - seconds) < 1e-9, "\(header) → \(delay)")
    }

    static let garbageCases: [String] = [
        "", "soon", "-5", "+5", "1e3", "inf", "nan", "0x10", "1.", ".5", "1.2.3", "120s", "12 0",
        "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 8:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994x 08:49:37 GMT", "Sunday, 06-Nov 08:49:37 GMT", "Sun Nov  6 08:49:37",
        "Sun Nov 32 08:49:37 1994", "06 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1995 00:00:00 GMT",
    ]

    @Test("garbage is nil", arguments: garbageCases)
    func garbage(header: String) {
        #expect(RetryAfter.delay(from: header, now: Self.now) == nil)
    }

    @Test(
        "retry-after-ms gives milliseconds; garbage is nil",
        arguments: [("1500", 1.5), ("0", 0), (" 250 ", 0.25), ("2.5", 0.0025), ("soon", nil), ("-5", nil)]
            as [(String, Double?)])
    func milliseconds(header: String, seconds: Double?) {
        #expect(RetryAfter.delay(milliseconds: header).map(\.seconds) == seconds)
    }

    @Test("huge values are capped instead of overflowing")
    func huge() throws {
        let cap = Double(Int32.max)
        let values = [
            "99999999999999999999999", "1" + String(repeating: "0", count: 400),
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ]
        for header in values {
            let delay = try #require(RetryAfter.delay(from: header, now: Self.now))
            #expect(delay.seconds == cap, "\(header)")
        }
    }

    @Test(
        "two-digit RFC 850 years pick the century within 50 years",
        arguments: [
            ("Thursday, 01-Jan-70 00:00:10 GMT", 0.0, 10.0),  // now 1970: 1970
            ("Friday, 01-Jan-21 00:00:00 GMT", 1_609_459_200, 0),  // now 2021: 2021, not 1921
            ("Tuesday, 01-Jan-69 00:00:00 GMT", 1_609_459_200, 1_514_764_800),  // 2069 from 2021
            ("Monday, 01-Jan-73 00:00:00 GMT", 1_609_459_200, 0),  // 2073 is >50 years ahead: 1973
            ("Sunday, 01-Jan-2073 00:00:00 GMT", 1_609_459_200, 1_640_995_200),  // four digits: as written
        ] as [(String, Double, Double)])
    func twoDigitYears(header: String, nowSeconds: Double, seconds: Double) throws {
        let now = Date(timeIntervalSince1970: nowSeconds)
        let delay = try #require(RetryAfter.delay(from: header, now: now))
        #expect(delay.seconds == seconds)
    }
}
