import Crypto
import Foundation
import PDFSyntax
import Testing
import Verification

/// Universal signature forgery (USF) and signature wrapping (SWA) — Mladenov, Mainka, Meyer zu
/// Selhausen, Grothe, Schwenk, "1 Trillion Dollar Refund" (CCS 2019). Each attack edits the bytes
/// of a file we signed.
@Suite struct SignatureForgeryTests {
    let signed: [UInt8]
    let layout: SignatureLayout

    init() throws {
        signed = try AttackSupport.signedContract()
        layout = SignatureLayout(signed)
    }

    // MARK: USF — the signature dictionary lies about or omits what is signed

    /// USF: `/Contents` renamed away, so a validator that skips a signature without one shows the
    /// field as signed while checking nothing.
    @Test func usfNoContents() throws {
        var bytes = signed
        ByteSurgery.overwrite(&bytes, at: layout.contentsStart - 10, with: "/Xontents")
        AttackSupport.expectFailed(bytes, .badContents, mentioning: "no /Contents")
    }

    /// USF: `/Contents <>` — an empty signature value.
    @Test func usfEmptyContents() throws {
        var bytes = signed
        ByteSurgery.fill(&bytes, layout.contentsStart..<layout.contentsEnd, with: "<>")
        AttackSupport.expectFailed(bytes, .badContents, mentioning: "empty")
    }

    /// USF: `/Contents` that starts like DER but is not a CMS SignedData.
    @Test func usfContentsNotCMS() throws {
        var bytes = signed
        let digits = layout.signatureHex(bytes)
        // Keep the SEQUENCE header (so the length is plausible), garble the rest.
        var garbled = Array(digits.prefix(8))
        garbled += Array(repeating: UInt8(ascii: "A"), count: digits.count - 8)
        bytes.replaceSubrange((layout.contentsStart + 1)..<(layout.contentsStart + 1 + garbled.count), with: garbled)
        AttackSupport.expectFailed(bytes, .badCMS, mentioning: "not a CMS SignedData")
    }

    /// USF: `/ByteRange` renamed away — nothing says what is signed.
    @Test func usfNoByteRange() throws {
        var bytes = signed
        ByteSurgery.overwrite(&bytes, at: layout.byteRangeStart - 11, with: "/XyteRange")
        AttackSupport.expectFailed(bytes, .badByteRange, mentioning: "no /ByteRange")
    }

    /// USF: `/ByteRange` with three numbers — a validator that hashes what it finds signs less.
    @Test func usfShortByteRange() throws {
        var bytes = signed
        let range = layout.byteRange
        ByteSurgery.setByteRange(&bytes, layout, ["0", "\(range[1])", "\(range[2])"])
        AttackSupport.expectFailed(bytes, .badByteRange, mentioning: "has 3 numbers")
    }

    /// USF: a negative length in `/ByteRange`.
    @Test func usfNegativeByteRange() throws {
        var bytes = signed
        let range = layout.byteRange
        ByteSurgery.setByteRange(&bytes, layout, ["0", "-\(range[1])", "\(range[2])", "\(range[3])"])
        AttackSupport.expectFailed(bytes, .badByteRange, mentioning: "negative")
    }

    /// USF: a `/ByteRange` reaching past the end of the file.
    @Test func usfByteRangeOutOfBounds() throws {
        var bytes = signed
        let range = layout.byteRange
        ByteSurgery.setByteRange(&bytes, layout, ["0", "\(range[1])", "\(range[2])", "\(range[3] + 4096)"])
        AttackSupport.expectFailed(bytes, .badByteRange, mentioning: "past the end of the file")
    }

    /// USF: a `/ByteRange` that does not start at 0 leaves the header unsigned.
    @Test func usfByteRangeNotFromZero() throws {
        var bytes = signed
        let range = layout.byteRange
        ByteSurgery.setByteRange(&bytes, layout, ["9", "\(range[1] - 9)", "\(range[2])", "\(range[3])"])
        AttackSupport.expectFailed(bytes, .badByteRange, mentioning: "not 0")
    }

    // MARK: SWA — bytes moved into the unsigned gap

    /// SWA: the CMS is shorter than its placeholder, so the gap can hold more than the signature:
    /// here a dictionary entry after the hex string, unsigned but parsed as part of the
    /// signature dictionary. The digest and the CMS still verify.
    @Test func swaBytesHiddenInTheGap() throws {
        // A timestamped signature reserves room for the token: plenty of unused placeholder.
        var bytes = try AttackSupport.fixtures.sign(AttackSupport.fixtures.contract, .field("sig_customer"), profile: .padesBT)
        let layout = SignatureLayout(bytes)
        #expect(layout.slack(bytes) > 100)
        let hex = layout.signatureHex(bytes)
        var gap = [UInt8(ascii: "<")] + hex + [UInt8(ascii: ">")]
        gap += Array(" /Location (Refund approved: 1 000 000 EUR)".utf8)
        gap += Array(repeating: 0x20, count: layout.contentsEnd - layout.contentsStart - gap.count)
        bytes.replaceSubrange(layout.contentsStart..<layout.contentsEnd, with: gap)
        let report = AttackSupport.expectFailed(bytes, .wrappedSignature, mentioning: "sit in the unsigned gap")
        // The cryptography alone would pass: only the gap check catches it.
        #expect(!report.codes.contains(.digestMismatch) && !report.codes.contains(.badCMS))
    }

    /// SWA: a second `/Contents` in the gap — a parser that takes the last key reads another value
    /// than one that takes the first. Strict parsing refuses repeated keys.
    @Test func swaSecondContentsToken() throws {
        var bytes = try AttackSupport.fixtures.sign(AttackSupport.fixtures.contract, .field("sig_customer"), profile: .padesBT)
        let layout = SignatureLayout(bytes)
        let hex = layout.signatureHex(bytes)
        var gap = [UInt8(ascii: "<")] + hex + [UInt8(ascii: ">")] + Array(" /Contents <3000>".utf8)
        gap += Array(repeating: 0x20, count: layout.contentsEnd - layout.contentsStart - gap.count)
        bytes.replaceSubrange(layout.contentsStart..<layout.contentsEnd, with: gap)
        AttackSupport.expectFailed(bytes, .malformedFile, mentioning: "repeats the key /Contents")
    }

    /// SWA: the gap shifted to also cover `/M`, then re-signed with the real key: the CMS and
    /// digest are valid, but the claimed signing time is now outside the signature and editable.
    @Test func swaShiftedGapResigned() throws {
        var bytes = signed
        let time = try #require(ByteSurgery.find("/M (D:", in: bytes, from: layout.contentsEnd))
        let timeEnd = try #require(ByteSurgery.find(")", in: bytes, from: time)) + 1
        let range = [0, layout.contentsStart, timeEnd, bytes.count - timeEnd]
        ByteSurgery.setByteRange(&bytes, layout, range.map(String.init))
        try ByteSurgery.resign(&bytes, ranges: range, contents: layout.contentsStart..<layout.contentsEnd,
                               identity: try AttackSupport.fixtures.identity(name: "Alice Customer"))
        ByteSurgery.overwrite(&bytes, at: time + 6, with: "2019")  // backdate, inside the gap
        let report = AttackSupport.expectFailed(bytes, .wrappedSignature, mentioning: "not exactly the /Contents hex string")
        #expect(!report.codes.contains(.digestMismatch) && !report.codes.contains(.badCMS), "\(report.allReasons)")
    }

    /// The untouched file passes — the attacks above fail because of what they changed.
    @Test func victimIsValid() {
        #expect(AttackSupport.fixtures.trusted.verify(bytes: signed).verdict == .passed)
    }
}
