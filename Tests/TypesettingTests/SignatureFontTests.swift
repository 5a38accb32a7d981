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

    /// The text typeset in the font, written to `file`: pdffonts' rows (name, type, encoding,
    /// emb, sub, uni, …) and the text pdftotext reads back.
    private func typeset(_ text: String, in font: SignatureFont, to file: URL) throws -> (fonts: [[String]], text: String) {
        var style = ParagraphStyle()
        style.fontFamily = font.family
        style.fontSize = 14
        let spec = DocumentSpec(page: .a4, body: [.paragraph(Paragraph(runs: [.plain(text)], style: style))])
        try Data(try Typesetter().typeset(spec).pdf).write(to: file)
        let rows = try runCommand("pdffonts", [file.path]).stdout.split(separator: "\n").dropFirst(2)
            .map { $0.split(separator: " ").map(String.init) }
        return (rows, try runCommand("pdftotext", [file.path, "-"]).stdout)
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
        let folder = try TestEnvironment.scratchDirectory("signature-fonts")
        let gaps = Self.expectedGaps(font)
        var covered = String.UnicodeScalarView()
        covered.append(contentsOf: (Self.latin1 + Self.latinExtendedA).filter { !gaps.contains($0) })
        let drawn = try typeset(String(covered), in: font, to: folder.appendingPathComponent("\(font.rawValue).pdf"))
        // One font, the chosen face, embedded as a subset with a ToUnicode map: the text reads back.
        #expect(drawn.fonts.count == 1 && drawn.fonts.allSatisfy { $0.first?.contains("+" + Self.postScriptPrefix(font)) == true },
                "\(font.family) should draw all of it alone, pdffonts shows \(drawn.fonts)")
        #expect(drawn.fonts.allSatisfy { $0.suffix(5).prefix(3) == ["yes", "yes", "yes"] }, "embedded, subset, ToUnicode: \(drawn.fonts)")
        #expect(drawn.text.filter { !$0.isWhitespace } == String(covered).filter { !$0.isWhitespace }, "\(drawn.text)")
        // The gaps are real: each one, alone, comes from a fallback face.
        for gap in gaps.sorted(by: { $0.value < $1.value }).prefix(3) {
            let fallback = try typeset("A\(gap)", in: font, to: folder.appendingPathComponent("\(font.rawValue)-gap.pdf"))
            #expect(fallback.fonts.count == 2, "'\(gap)' in \(font.family): \(fallback.fonts)")
        }
    }
}
