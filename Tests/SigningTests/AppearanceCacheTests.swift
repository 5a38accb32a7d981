import Crypto
import Foundation
import PDFSyntax
@testable import Signing
import TestSupport
import Testing

/// The per-signer appearance cache: a warm cache gives the bytes a cold one does, the id is
/// composed (not typeset) per document, and the result looks like the appearance typeset whole.
@Suite struct AppearanceCacheTests {
    let fixtures = SigningFixtures.shared
    let time = Date(timeIntervalSince1970: 1_768_000_000)

    private func request() -> SignatureRequest {
        SignatureRequest(placement: .field("sig_customer"), reason: "Approved", signingTime: time)
    }

    @Test func aWarmCacheGivesTheBytesOfAColdOne() throws {
        let identity = try fixtures.identity(.rsa(2048))
        let other = try SigningFixtures.makeContract(party: "Globex Ltd")
        let warm = try PDFSigner(identity: identity)
        _ = try warm.sign(fixtures.contract, request: request())
        let fromWarm = try warm.sign(other, request: request())
        let fromCold = try PDFSigner(identity: identity).sign(other, request: request())
        #expect(fromWarm == fromCold)
        // Composed: the strip drawn clipped, once per id character (12).
        let appended = Array(fromWarm[other.count...])
        #expect(Self.count(Array("re W n /S Do".utf8), in: appended) == 12)
        let file = try fixtures.write(fromWarm, "appearance-warm.pdf")
        try Judges.pdfsig(file, signatures: 1)
        try Judges.qpdf(file)
    }

    @Test func theComposedAppearanceLooksLikeTheTypesetOne() throws {
        let identity = try fixtures.identity(.rsa(2048))
        let composed = try PDFSigner(identity: identity)
        let whole = try PDFSigner(identity: identity)
        whole.composesAppearances = false
        let a = try fixtures.write(try composed.sign(fixtures.contract, request: request()), "appearance-composed.pdf")
        let b = try fixtures.write(try whole.sign(fixtures.contract, request: request()), "appearance-whole.pdf")
        #expect(try Self.count(Array("/S Do".utf8), in: Array(Data(contentsOf: b))) == 0)
        let difference = try Self.rasterDifference(a, b)
        // Anti-aliasing moves a little (the glyphs land on fractional positions a hair apart);
        // a missing or misplaced id costs several times this (≈ 40 000 per glyph at 300 dpi).
        #expect(difference < 120_000, "sum of grey differences \(difference)")
    }

    private static func count(_ needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard needle.count <= haystack.count else { return 0 }
        var found = 0
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { found += 1 }
        }
        return found
    }

    /// Sum over the page of the absolute grey-level differences at 300 dpi (poppler renders the widget).
    private static func rasterDifference(_ a: URL, _ b: URL) throws -> Int {
        func render(_ file: URL) throws -> [UInt8] {
            let prefix = file.deletingPathExtension().path
            let result = try runCommand("pdftoppm", ["-r", "300", "-gray", "-f", "1", "-l", "1", "-singlefile", file.path, prefix])
            guard result.status == 0 else { throw TestTSAError("pdftoppm failed: \(result.stderr)") }
            return Array(try Data(contentsOf: URL(fileURLWithPath: prefix + ".pgm")))
        }
        let (x, y) = (try render(a), try render(b))
        #expect(x.count == y.count)
        return zip(x, y).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    }
}
