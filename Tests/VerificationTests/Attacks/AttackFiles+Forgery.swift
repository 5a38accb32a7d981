import CountersignCrypto
import Foundation
import PDFSyntax

/// Attack files, each built from a file we signed (the suites check our verdicts; the
/// cross-check runs pyHanko and poppler on the same bytes).
///
/// USF (universal signature forgery) and SWA (signature wrapping) follow Mladenov, Mainka,
/// Meyer zu Selhausen, Grothe, Schwenk, "1 Trillion Dollar Refund" (CCS 2019).
enum AttackFiles {
    static var fixtures: VerificationFixtures { .shared }

    /// The contract signed once in `sig_customer` (the victim of most attacks).
    static func victim() throws -> [UInt8] {
        try fixtures.sign(fixtures.contract, .field("sig_customer"), signer: "Alice Customer")
    }

    /// A victim signed with a timestamp: its placeholder reserves room for the token, so there is
    /// plenty of unused gap to hide bytes in.
    static func timestampedVictim() throws -> [UInt8] {
        try fixtures.sign(fixtures.contract, .field("sig_customer"), signer: "Alice Customer", profile: .padesBT)
    }

    // MARK: USF — the signature dictionary omits or lies about what is signed

    /// `/Contents` renamed away: a validator that skips a signature without one shows the field
    /// as signed while checking nothing.
    static func usfNoContents() throws -> [UInt8] {
        var bytes = try victim()
        ByteSurgery.overwrite(&bytes, at: SignatureLayout(bytes).contentsStart - 10, with: "/Xontents")
        return bytes
    }

    /// `/Contents <>`: an empty signature value.
    static func usfEmptyContents() throws -> [UInt8] {
        var bytes = try victim()
        let layout = SignatureLayout(bytes)
        ByteSurgery.fill(&bytes, layout.contentsStart..<layout.contentsEnd, with: "<>")
        return bytes
    }

    /// `/Contents` that starts like DER (a SEQUENCE header) but is not a CMS SignedData.
    static func usfContentsNotCMS() throws -> [UInt8] {
        var bytes = try victim()
        let layout = SignatureLayout(bytes)
        let digits = layout.signatureHex(bytes)
        let garbled = Array(digits.prefix(8)) + Array(repeating: UInt8(ascii: "A"), count: digits.count - 8)
        bytes.replaceSubrange((layout.contentsStart + 1)..<(layout.contentsStart + 1 + garbled.count), with: garbled)
        return bytes
    }

    /// `/ByteRange` renamed away: nothing says what is signed.
    static func usfNoByteRange() throws -> [UInt8] {
        var bytes = try victim()
        ByteSurgery.overwrite(&bytes, at: SignatureLayout(bytes).byteRangeStart - 11, with: "/XyteRange")
        return bytes
    }

    /// `/ByteRange` with three numbers: a validator hashing what it finds signs less.
    static func usfShortByteRange() throws -> [UInt8] {
        try editedByteRange { range in ["0", "\(range[1])", "\(range[2])"] }
    }

    /// A negative length in `/ByteRange`.
    static func usfNegativeByteRange() throws -> [UInt8] {
        try editedByteRange { range in ["0", "-\(range[1])", "\(range[2])", "\(range[3])"] }
    }

    /// A `/ByteRange` reaching past the end of the file.
    static func usfByteRangeOutOfBounds() throws -> [UInt8] {
        try editedByteRange { range in ["0", "\(range[1])", "\(range[2])", "\(range[3] + 4096)"] }
    }

    /// A `/ByteRange` that does not start at 0 leaves the header unsigned.
    static func usfByteRangeNotFromZero() throws -> [UInt8] {
        try editedByteRange { range in ["9", "\(range[1] - 9)", "\(range[2])", "\(range[3])"] }
    }

    private static func editedByteRange(_ values: ([Int]) -> [String]) throws -> [UInt8] {
        var bytes = try victim()
        let layout = SignatureLayout(bytes)
        ByteSurgery.setByteRange(&bytes, layout, values(layout.byteRange))
        return bytes
    }

    // MARK: SWA — bytes moved into the unsigned gap

    /// The CMS is shorter than its placeholder, so the gap can hold more than the signature: a
    /// `/Location` entry after the hex string, unsigned yet part of the signature dictionary.
    /// The digest and the CMS still verify.
    static func swaBytesHiddenInTheGap() throws -> [UInt8] {
        var bytes = try timestampedVictim()
        let layout = SignatureLayout(bytes)
        var gap = [UInt8(ascii: "<")] + layout.signatureHex(bytes) + [UInt8(ascii: ">")]
        gap += Array(" /Location (Refund approved: 1 000 000 EUR)".utf8)
        gap += Array(repeating: 0x20, count: layout.contentsEnd - layout.contentsStart - gap.count)
        bytes.replaceSubrange(layout.contentsStart..<layout.contentsEnd, with: gap)
        return bytes
    }

    /// A second `/Contents` in the gap: a parser taking the last key reads another value than
    /// one taking the first.
    static func swaSecondContentsToken() throws -> [UInt8] {
        var bytes = try timestampedVictim()
        let layout = SignatureLayout(bytes)
        var gap = [UInt8(ascii: "<")] + layout.signatureHex(bytes) + [UInt8(ascii: ">")] + Array(" /Contents <3000>".utf8)
        gap += Array(repeating: 0x20, count: layout.contentsEnd - layout.contentsStart - gap.count)
        bytes.replaceSubrange(layout.contentsStart..<layout.contentsEnd, with: gap)
        return bytes
    }

    /// The gap shifted to also cover `/M`, then re-signed with the real key: CMS and digest are
    /// valid, but the claimed signing time is outside the signature — here backdated to 2019.
    static func swaShiftedGapResigned() throws -> [UInt8] {
        var bytes = try victim()
        let layout = SignatureLayout(bytes)
        guard let time = ByteSurgery.find("/M (D:", in: bytes, from: layout.contentsEnd),
              let close = ByteSurgery.find(")", in: bytes, from: time) else { throw PDFError(.syntax, "no /M") }
        let range = [0, layout.contentsStart, close + 1, bytes.count - close - 1]
        ByteSurgery.setByteRange(&bytes, layout, range.map(String.init))
        try ByteSurgery.resign(&bytes, ranges: range, contents: layout.contentsStart..<layout.contentsEnd,
                               identity: try fixtures.identity(name: "Alice Customer"))
        ByteSurgery.overwrite(&bytes, at: time + 6, with: "2019")
        return bytes
    }
}
