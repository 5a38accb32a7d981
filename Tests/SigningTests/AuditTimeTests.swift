import Foundation
@testable import Signing
import Testing

/// The audit times' fast parser agrees with `ISO8601DateFormatter` wherever it answers, and
/// leaves everything unusual to it.
@Suite struct AuditTimeTests {
    private func formatter(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    @Test func agreesWithTheFormatter() throws {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<2000 {
            let seconds = Int.random(in: -2_000_000_000...4_000_000_000, using: &generator)
            let offsetMinutes = [0, 60, -300, 330, 345, -570, 840, -720].randomElement(using: &generator)!
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let fast = try #require(AuditTime.parseCanonical(text), "\(text)")
            #expect(fast == self.formatter(text), "\(text)")
            #expect(fast.timeIntervalSince1970 == TimeInterval(seconds), "\(text)")
            checked += 1
        }
        #expect(checked == 2000)
        #expect(AuditTime.parse("2026-03-02T14:05:09+01:00") == formatter("2026-03-02T14:05:09+01:00"))
    }

    @Test(arguments: ["2026-02-29T10:00:00Z", "2024-02-30T10:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T14:05:60Z",
                      "2026-13-02T14:05:09Z", "2026-03-02t14:05:09z", "2026-03-02T14:05:09.250Z", "2026-03-02 14:05:09Z",
                      "2026-03-02T14:05:09", "2026-03-02T14:05:09+0100", "not a time"])
    func leavesEverythingElseToTheFormatter(_ text: String) {
        #expect(AuditTime.parseCanonical(text) == nil)
        #expect(AuditTime.parse(text) == formatter(text) ?? {
            let withFraction = ISO8601DateFormatter()
            withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return withFraction.date(from: text)
        }())
    }
}
