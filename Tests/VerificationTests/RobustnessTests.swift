import Foundation
import PDFSyntax
import TestSupport
import Testing
import Verification

/// Hostile bytes never crash or hang the verifier, and never pass: every mangled copy of a signed
/// file gets a report, and none of them is PASSED unless the mangling missed the file's meaning.
@Suite struct RobustnessTests {
    @Test func mangledCopiesOfASignedFileGetAReport() throws {
        let fixtures = VerificationFixtures.shared
        let signed = try fixtures.sign(try fixtures.sign(fixtures.contract, .field("sig_customer")), .field("sig_company"),
                                       offset: 5)
        // Each signature's gap (its /Contents hex string), from its /ByteRange.
        let document = try PDFDocument(bytes: signed)
        let gaps = try document.formFields().compactMap { field -> Range<Int>? in
            guard let value = field.value, let range = try document.resolve(value)
                .dictionaryValue?["ByteRange"]?.arrayValue?.compactMap(\.intValue), range.count == 4 else { return nil }
            return range[1]..<range[2]
        }
        #expect(gaps.count == 2)
        var random = SeededGenerator(state: 20_260_315)
        var passed = 0
        for round in 0..<300 {
            var bytes = signed
            switch round % 3 {
            case 0:  // flip a few bytes anywhere
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 1:  // cut the file short
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random))
            default:  // duplicate a slice somewhere
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...200, using: &random))
                bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0..<bytes.count, using: &random))
            }
            let report = fixtures.trusted.verify(bytes: bytes)
            if report.verdict == .passed {
                passed += 1
                // A PASSED mangling changed no byte's meaning: outside the signatures' gaps nothing,
                // inside them at most the case of a hex digit.
                #expect(bytes.count == signed.count, "round \(round): \(report.text)")
                let same = zip(bytes, signed).enumerated().allSatisfy { offset, pair in
                    pair.0 == pair.1 || (gaps.contains { $0.contains(offset) } && pair.0 | 0x20 == pair.1 | 0x20)
                }
                #expect(same, "round \(round) PASSED after a change that matters")
            }
        }
        #expect(passed < 30)
    }
}
