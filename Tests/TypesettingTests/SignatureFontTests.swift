import Foundation
import TestSupport
import Testing
import Typesetting

/// The signature script fonts: shipped, known to the typesetter, and drawing the names people
/// have — every Latin-1 letter, and Latin Extended-A (Polish, Czech, Hungarian, Turkish, …
/// names) in the faces added for the choice — from the face itself, not from a fallback.
@Suite struct SignatureFontTests {
    /// U+00A1–U+00FF without the soft hyphen (which draws nothing).
    static let latin1 = (0xA1...0xFF).filter { $0 != 0xAD }.compactMap(Unicode.Scalar.init)
    static let latinExtendedA = (0x100...0x17F).compactMap(Unicode.Scalar.init)

    /// What each face is expected to lack, checked as strictly as what it has: Dancing Script
    /// 1.2 (Debian's) has no macron and no Latin Extended-A (those characters come from the
    /// fallback chain); Kaushan Script lacks only the long s; Chorus lacks kra, ŉ and T with stroke.
    static func expectedGaps(_ font: SignatureFont) -> Set<Unicode.Scalar> {
        switch font {
        case .dancingScript: return Set(["\u{AF}"] + latinExtendedA)
        case .kaushanScript: return ["\u{17F}"]
        case .texGyreChorus: return ["\u{138}", "\u{149}", "\u{166}", "\u{167}"]
        }
    }

    /// The name pdffonts shows for the face's embedded subset (after the `ABCDEF+` tag).
    static func postScriptPrefix(_ font: SignatureFont) -> String { font.family.replacingOccurrences(of: " ", with: "") }

    private func fonts(of text: String, in font: SignatureFont) throws -> [String] {
        var style = ParagraphStyle()
        style.fontFamily = font.family
        style.fontSize = 14
        let spec = DocumentSpec(page: .a4, body: [.paragraph(Paragraph(runs: [.plain(text)], style: style))])
        let url = try TestEnvironment.scratchDirectory("signature-fonts").appendingPathComponent("\(font.rawValue).pdf")
        try Data(try Typesetter().typeset(spec).pdf).write(to: url)
        return try runCommand("pdffonts", [url.path]).stdout.split(separator: "\n").dropFirst(2)
            .map { String($0.split(separator: " ").first ?? "") }
    }

    @Test func everyFontIsShippedWithItsLicenceAndKnownByFamily() throws {
        let families = try Typesetter().fontFamilies
        let folder = TestEnvironment.root.appendingPathComponent("Fonts")
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        for font in SignatureFont.allCases {
            #expect(families.contains(font.family), "\(font.family) not among \(families)")
            let file = folder.appendingPathComponent(font.file)
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.path)")
            let licence = file.deletingLastPathComponent().appendingPathComponent("LICENSE")
            #expect(FileManager.default.fileExists(atPath: licence.path), "\(licence.path)")
            #expect(readme.contains("| \(font.family) |"), "Fonts/README.md does not list \(font.family)")
        }
        #expect(SignatureFont.identifiers == ["dancing-script", "kaushan-script", "tex-gyre-chorus"])
        #expect(SignatureFont.standard == .dancingScript)
    }

    @Test(arguments: SignatureFont.allCases)
    func drawsLatinNamesFromItsOwnFace(_ font: SignatureFont) throws {
        let gaps = Self.expectedGaps(font)
        var covered = String.UnicodeScalarView()
        covered.append(contentsOf: (Self.latin1 + Self.latinExtendedA).filter { !gaps.contains($0) })
        let drawnBy = try fonts(of: String(covered), in: font)
        #expect(drawnBy.count == 1 && drawnBy.allSatisfy { $0.contains("+" + Self.postScriptPrefix(font)) },
                "\(font.family) should draw all of it alone, pdffonts shows \(drawnBy)")
        // The gaps are real: each one, alone, comes from a fallback face.
        for gap in gaps.sorted(by: { $0.value < $1.value }).prefix(3) {
            let fallback = try fonts(of: "A\(gap)", in: font)
            #expect(fallback.count == 2, "'\(gap)' in \(font.family): \(fallback)")
        }
    }
}
