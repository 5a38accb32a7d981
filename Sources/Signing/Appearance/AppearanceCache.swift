import Foundation
import PDFSyntax
import Typesetting

/// Visible-signature appearances, typeset once per look and placed in each document cheaply.
///
/// A widget shows the mark, "Digitally signed by NAME", the date, the reason — the same for
/// every document a signer signs in a batch — and the signature id, which differs per document.
/// For each look (size, mark, name, date, reason) the cache typesets, once, the appearance with
/// figure spaces where the id goes and, on a second page of the same document (so one font
/// subset), a strip of the sixteen hex digits in the id's style; it keeps both pages as
/// ready-to-copy Form XObjects (`ObjectBundle`). A document's appearance is a small Form XObject
/// that draws the cached appearance and, for each id character, the strip clipped to that
/// character and moved to its place, advancing by the character's width: no typesetting, no
/// font subsetting and no PDF parsing per document.
///
/// A look whose layout cannot be composed this way (the strip or the placeholder wraps, the id
/// would not fit the line) is typeset per document with the id as text, as without the cache.
/// Not thread-safe: one per signer (per worker).
final class AppearanceCache {
    private struct Key: Hashable {
        var width: Double, height: Double
        var mark: SignatureMark
        var signerName: String
        var date: Date
        var reason: String?
    }

    /// A composable look: the two forms and where the id's characters go.
    private struct Look {
        var bundle: ObjectBundle
        var appearance: PDFReference
        var strip: PDFReference
        /// Lower-left corner of the id's line box in the appearance.
        var originX: Double, originY: Double
        /// Bottom of the strip's line box, and the line height.
        var stripY: Double, lineHeight: Double
        /// Each strip character's advance box, left and right.
        var glyphs: [UInt8: (x0: Double, x1: Double)]
        /// How far right the id may reach (the detail column's inner edge).
        var limitX: Double
        /// Extra clip on each side of a character (less than half the space between strip characters).
        var pad: Double
        var bbox: PDFObject
    }

    private let typesetter: Typesetter
    /// Off: every appearance is typeset whole (tests compare the two paths).
    var composes = true
    private var looks: [Key: Look?] = [:]
    private static let capacity = 64

    init(typesetter: Typesetter) {
        self.typesetter = typesetter
    }

    /// Adds the widget appearance to `update` and returns its Form XObject.
    func appearance(width: Double, height: Double, mark: SignatureMark, signerName: String, date: Date,
                    reason: String?, signatureID: String, into update: inout IncrementalUpdate) throws -> PDFReference {
        let key = Key(width: width, height: height, mark: mark, signerName: signerName, date: date, reason: reason)
        let look: Look?
        if !composes {
            look = nil
        } else if let cached = looks[key] {
            look = cached
        } else {
            look = try compose(key, idLength: signatureID.utf8.count)
            if looks.count >= Self.capacity { looks.removeAll() }
            looks[key] = look
        }
        if let look, let form = place(signatureID, look, into: &update) { return form }
        return try Self.typesetWhole(width: width, height: height, mark: mark, signerName: signerName, date: date,
                                     reason: reason, signatureID: signatureID, typesetter: typesetter, into: &update)
    }

    /// The appearance typeset with the id as text and imported: the path for looks that cannot be composed.
    static func typesetWhole(width: Double, height: Double, mark: SignatureMark, signerName: String, date: Date,
                             reason: String?, signatureID: String, typesetter: Typesetter,
                             into update: inout IncrementalUpdate) throws -> PDFReference {
        let spec = SignatureAppearance.spec(width: width, height: height, mark: mark, signerName: signerName,
                                            date: date, reason: reason, signatureID: signatureID)
        var importer = ObjectImporter(source: try PDFDocument(bytes: try typesetter.typeset(spec).pdf))
        return try importer.importPageAsForm(1, into: &update)
    }

    /// Typesets the look with the placeholder and the strip; nil when the layout does not allow composing.
    private func compose(_ key: Key, idLength: Int) throws -> Look? {
        let spec = SignatureAppearance.spec(width: key.width, height: key.height, mark: key.mark, signerName: key.signerName,
                                            date: key.date, reason: key.reason, id: .placeholder(count: idLength))
        let drawn = try typesetter.typeset(spec)
        // The widget shows page 1 (a tall look spills onto more pages, which it never shows, as
        // without the cache); the strip is alone on the last page.
        let stripPage = drawn.pageCount
        guard stripPage >= 2 else { return nil }
        let placeholders = drawn.links.filter { $0.url == SignatureAppearance.placeholderLink && $0.page == 1 }
        guard placeholders.count == 1, let placeholder = placeholders.first else { return nil }
        var glyphs: [UInt8: (x0: Double, x1: Double)] = [:]
        var stripY: Double? = nil
        var lineHeight = 0.0
        var edges: [(Double, Double)] = []
        for character in SignatureAppearance.stripCharacters {
            let areas = drawn.links.filter { $0.url == SignatureAppearance.stripLink(character) }
            guard areas.count == 1, let area = areas.first, area.page == stripPage, area.x1 > area.x0 else { return nil }
            if let stripY, abs(stripY - area.y0) > 0.001 || abs(lineHeight - (area.y1 - area.y0)) > 0.001 { return nil }
            stripY = area.y0
            lineHeight = area.y1 - area.y0
            glyphs[character.asciiValue!] = (area.x0, area.x1)
            edges.append((area.x0, area.x1))
        }
        guard let stripY, abs((placeholder.y1 - placeholder.y0) - lineHeight) < 0.01 else { return nil }
        edges.sort { $0.0 < $1.0 }
        let gap = zip(edges, edges.dropFirst()).map { $1.0 - $0.1 }.min() ?? 0
        guard gap > 0 else { return nil }

        let source = try PDFDocument(bytes: drawn.pdf)
        var bundle = ObjectBundle()
        let appearance = try bundle.copyPageAsForm(1, from: source)
        let strip = try bundle.copyPageAsForm(stripPage, from: source)
        let bbox = PDFRect(x0: 0, y0: 0, x1: key.width, y1: key.height).pdfObject
        return Look(bundle: bundle, appearance: appearance, strip: strip, originX: placeholder.x0,
                    originY: placeholder.y0, stripY: stripY, lineHeight: lineHeight, glyphs: glyphs,
                    limitX: key.width - SignatureAppearance.inset(height: key.height), pad: gap * 0.4, bbox: bbox)
    }

    /// The document's Form XObject over the cached look, or nil when the id does not fit.
    private func place(_ signatureID: String, _ look: Look, into update: inout IncrementalUpdate) -> PDFReference? {
        var content: [UInt8] = Array("q /A Do Q\n".utf8)
        var x = look.originX
        for byte in signatureID.utf8 {
            guard let glyph = look.glyphs[byte] else { return nil }
            let dx = x - glyph.x0, dy = look.originY - look.stripY
            content += Array("q 1 0 0 1 ".utf8) + Self.number(dx) + [0x20] + Self.number(dy) + Array(" cm ".utf8)
            content += Self.number(glyph.x0 - look.pad) + [0x20] + Self.number(look.stripY) + [0x20]
            content += Self.number(glyph.x1 - glyph.x0 + 2 * look.pad) + [0x20] + Self.number(look.lineHeight)
            content += Array(" re W n /S Do Q\n".utf8)
            x += glyph.x1 - glyph.x0
        }
        guard x <= look.limitX + 0.001 else { return nil }
        let targets = look.bundle.add(into: &update)
        return update.add(.stream(PDFStream(dictionary: [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": look.bbox,
            "Resources": .dictionary(["XObject": .dictionary([
                "A": .reference(targets[look.appearance.number - 1]),
                "S": .reference(targets[look.strip.number - 1]),
            ])]),
        ], encodedData: content)))
    }

    /// A content-stream number with up to three decimals, without Foundation formatting.
    static func number(_ value: Double) -> [UInt8] {
        let scaled = Int((value * 1000).rounded())
        var text = scaled < 0 ? "-" : ""
        let magnitude = abs(scaled)
        text += String(magnitude / 1000)
        let fraction = magnitude % 1000
        if fraction != 0 {
            var digits = String(fraction)
            while digits.count < 3 { digits = "0" + digits }
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return Array(text.utf8)
    }
}
