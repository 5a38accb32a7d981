import Foundation
import Testing
@testable import Verification

/// `/M` dates (ISO 32000-2 §7.9.4): partial dates are dates; anything else after the digits but
/// a time zone makes the text no date at all (reported as a note), never half a date.
@Suite struct PDFDateTests {
    @Test(arguments: [
        ("D:20261207093015Z", "2026-12-07T09:30:15Z"), ("D:20261207093015+01'00'", "2026-12-07T08:30:15Z"),
        ("D:20261207093015-0500", "2026-12-07T14:30:15Z"), ("D:20261207093015Z00'00'", "2026-12-07T09:30:15Z"),
        ("D:2026", "2026-01-01T00:00:00Z"), ("20261207", "2026-12-07T00:00:00Z"), ("D:202612070930+05'", "2026-12-07T04:30:00Z"),
    ])
    func datesAreRead(_ text: String, _ expected: String) throws {
        #expect(try ReportTime.iso(#require(PDFDate.parse(text))) == expected)
    }

    @Test(arguments: ["20261207T000000", "D:20261399999999Z", "D:2026-12-07", "D:20261207093015 UTC", "D:202", "yesterday", "D:20261207093015Zjunk"])
    func otherTextIsNoDate(_ text: String) {
        #expect(PDFDate.parse(text) == nil, "\(text)")
    }
}
