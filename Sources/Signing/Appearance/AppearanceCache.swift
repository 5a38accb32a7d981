import Foundation
import PDFSyntax
import Typesetting

/// Visible-signature appearances, typeset once per distinct appearance and re-imported cheaply.
///
/// What a widget shows is fixed by a handful of inputs: its size, the mark, the signer's name,
/// the date, the reason and the signature id. The cache keeps, per distinct set of inputs, the
/// typeset appearance already copied out of the typesetter's PDF as ready-to-add objects (a Form
/// XObject with its fonts and images, `ObjectBundle`). A document whose appearance was seen
/// before gets those objects under fresh numbers — no typesetting, font subsetting or parsing —
/// and the same bytes as a fresh build. The signature id is derived from the document (its `/ID`,
/// size and newest xref offset), so distinct documents have distinct appearances and only
/// documents with the same identity share one. Not thread-safe: one per signer (per worker).
final class AppearanceCache {
    private struct Key: Hashable {
        var width: Double, height: Double
        var mark: SignatureMark
        var signerName: String
        var date: Date
        var reason: String?
        var signatureID: String
    }

    private struct Entry {
        var bundle: ObjectBundle
        var form: PDFReference
    }

    private let typesetter: Typesetter
    /// Off: every appearance is typeset and imported (tests compare the two paths).
    var caches = true
    private var entries: [Key: Entry] = [:]
    private static let capacity = 64

    init(typesetter: Typesetter) {
        self.typesetter = typesetter
    }

    /// Adds the widget appearance to `update` and returns its Form XObject.
    func appearance(width: Double, height: Double, mark: SignatureMark, signerName: String, date: Date,
                    reason: String?, signatureID: String, into update: inout IncrementalUpdate) throws -> PDFReference {
        let spec = { SignatureAppearance.spec(width: width, height: height, mark: mark, signerName: signerName,
                                              date: date, reason: reason, signatureID: signatureID) }
        guard caches else {
            var importer = ObjectImporter(source: try PDFDocument(bytes: try typesetter.typeset(spec()).pdf))
            return try importer.importPageAsForm(1, into: &update)
        }
        let key = Key(width: width, height: height, mark: mark, signerName: signerName, date: date, reason: reason,
                      signatureID: signatureID)
        let entry: Entry
        if let cached = entries[key] {
            entry = cached
        } else {
            var bundle = ObjectBundle()
            let form = try bundle.copyPageAsForm(1, from: try typesetter.typeset(spec()).objects)
            entry = Entry(bundle: bundle, form: form)
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = entry
        }
        return entry.bundle.add(into: &update)[entry.form.number - 1]
    }
}
