import Foundation
import PDFSyntax
import Typesetting

/// Visible-signature appearances: the signer's layer typeset once, the document's layer per document.
///
/// A widget's appearance (`SignatureAppearance`) is a Form XObject that draws two forms: the
/// signer's layer (mark, "Digitally signed by", date, reason), fixed by the widget size, the
/// mark, the name, the date shown (to the second) and the reason, and the document's layer (the
/// signature id). The cache keeps the signer's layer as ready-to-add objects (`ObjectBundle`: a
/// Form XObject with its fonts and images), so each document typesets only its id line. The signature id is derived from the
/// document (its `/ID`, size and newest xref offset), so no two documents share a document layer.
/// A cached layer gives the same bytes as a fresh one. Not thread-safe: one per signer (per worker).
final class AppearanceCache {
    private struct Key: Hashable {
        var width: Double, height: Double
        var mark: SignatureMark
        var details: SignatureAppearance.Details
        var allowIllegible: Bool
    }

    private struct SignerLayer {
        var layout: SignatureAppearance.Layout
        var bundle: ObjectBundle
        var form: PDFReference
        /// Height of the signer's lines, where the document's line starts.
        var linesHeight: Double
        /// Why the box is too small, when it was signed anyway.
        var warning: String?
    }

    private let typesetter: Typesetter
    /// Off: the signer's layer is typeset for every document (tests compare the two paths).
    var caches = true
    private var entries: [Key: SignerLayer] = [:]
    private static let capacity = 64

    init(typesetter: Typesetter) {
        self.typesetter = typesetter
    }

    /// What the detail column shows, besides the signer and the date.
    struct Context {
        var reason: String?
        var location: String?
        /// The document's language (catalog `/Lang`), for the labels.
        var language: String?
        /// Sign a box too small for legible text (with a warning) instead of refusing.
        var allowIllegible = false
    }

    /// Adds the widget appearance to `update` and returns its Form XObject, with a warning when
    /// the box was too small for legible text and `context.allowIllegible` let it through.
    func appearance(width: Double, height: Double, rotation: Int = 0, mark: SignatureMark, signerName: String, date: Date,
                    context: Context, signatureID: String,
                    into update: inout IncrementalUpdate) throws -> (form: PDFReference, warning: String?) {
        let details = SignatureAppearance.Details(signerName: signerName, date: SignatureAppearance.displayedDate(date),
                                                  reason: context.reason, location: context.location,
                                                  labels: AppearanceLabels.forLanguage(context.language))
        let key = Key(width: width, height: height, mark: mark, details: details, allowIllegible: context.allowIllegible)
        let signer: SignerLayer
        if caches, let cached = entries[key] {
            signer = cached
        } else {
            signer = try signerLayer(key)
            if caches {
                if entries.count >= Self.capacity { entries.removeAll() }
                entries[key] = signer
            }
        }
        let documentSpec = SignatureAppearance.documentLayer(signer.layout, signerLinesHeight: signer.linesHeight,
                                                             signatureID: signatureID)
        // One bundle for both layers, so the id line's font is the signer layer's, not a second copy.
        var bundle = signer.bundle
        let documentForm = try bundle.copyPageAsForm(1, from: try typesetter.typeset(documentSpec).objects)
        let forms = bundle.shareFonts(of: documentForm, with: signer.form, keeping: [signer.form, documentForm])
        let added = bundle.add(into: &update)
        let signerForm = added[forms[0].number - 1], documentLayer = added[forms[1].number - 1]
        let box = PDFRect(x0: 0, y0: 0, x1: width, y1: height)
        var dictionary: PDFDictionary = [
            "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": box.pdfObject,
            "Resources": .dictionary(["XObject": .dictionary(["Signer": .reference(signerForm),
                                                              "Document": .reference(documentLayer)])]),
        ]
        // Turned against the page's /Rotate, so it reads upright as displayed: a reader fits the
        // turned box to the widget's /Rect (ISO 32000-2 §12.5.5).
        switch rotation {
        case 90: dictionary["Matrix"] = .array([0, 1, -1, 0, 0, 0])
        case 180: dictionary["Matrix"] = .array([-1, 0, 0, -1, 0, 0])
        case 270: dictionary["Matrix"] = .array([0, -1, 1, 0, 0, 0])
        default: break
        }
        return (update.add(.stream(PDFStream(dictionary: dictionary, encodedData: Array("q /Signer Do Q q /Document Do Q\n".utf8)))),
                signer.warning)
    }

    private func signerLayer(_ key: Key) throws -> SignerLayer {
        let (layout, warning) = try SignatureAppearance.Layout.fitted(width: key.width, height: key.height, lines: key.details,
                                                                      allowIllegible: key.allowIllegible, typesetter: typesetter)
        let spec = try SignatureAppearance.signerLayer(layout, mark: key.mark, details: key.details, typesetter: typesetter)
        var bundle = ObjectBundle()
        let form = try bundle.copyPageAsForm(1, from: try typesetter.typeset(spec).objects)
        let linesHeight = try SignatureAppearance.signerLinesHeight(layout, details: key.details, typesetter: typesetter)
        return SignerLayer(layout: layout, bundle: bundle, form: form, linesHeight: linesHeight, warning: warning)
    }
}
