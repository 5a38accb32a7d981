public import Foundation
public import Templates
import Rendering
public import Typesetting

/// Turns data rows into finished PDFs with one compiled template: bind → typeset (pango/cairo) →
/// finish (signature fields, metadata, provenance, `/ID`). One per worker: it owns a typesetter
/// (font map and pango context), which is not thread-safe and is the expensive part to build.
public final class DocumentGenerator {
    public let template: CompiledTemplate
    private let typesetter: Typesetter
    private let finisher = DocumentFinisher()

    /// Characters no shipped font has are warnings (`Output.warnings`) instead of errors.
    public let allowMissingGlyphs: Bool

    public init(template: CompiledTemplate, typesetter: Typesetter? = nil, allowMissingGlyphs: Bool = false) throws {
        self.template = template
        self.typesetter = try typesetter ?? Typesetter()
        self.allowMissingGlyphs = allowMissingGlyphs
    }

    /// A generated document.
    public struct Output: Sendable {
        public var pdf: [UInt8]
        public var pages: Int
        public var signatures: [PlacedSignature]
        /// The other boxes signers fill (template signer fields), where they were laid out.
        public var fields: [PlacedField] = []
        /// Problems that did not stop the document: characters no font has, with
        /// `allowMissingGlyphs` (each naming its field, or the template's own text).
        public var warnings: [Diagnostic] = []
    }

    /// Generates one document from typed values; `date` (ISO 8601) fixes the metadata dates.
    /// Every problem of the row is reported at once (`TemplateError`): the data's, and text
    /// values with characters no shipped font has (unless `allowMissingGlyphs`).
    public func generate(_ values: [String: TemplateValue], date: String?) throws -> Output {
        let (glyphs, fromData) = template.missingGlyphs(in: values, coverage: typesetter.coverage)
        let spec: DocumentSpec
        do {
            spec = try template.bind(values, date: date)
        } catch {
            throw allowMissingGlyphs ? error : TemplateError(error.diagnostics + glyphs)
        }
        if !allowMissingGlyphs, !glyphs.isEmpty { throw TemplateError(glyphs) }
        let typeset: TypesetDocument
        do {
            typeset = try typesetter.typeset(spec, allowMissingGlyphs: allowMissingGlyphs)
        } catch let error as TypesettingError where error.code == .missingGlyphs {
            throw TemplateError([Diagnostic(.missingGlyphs, "template text: \(error.reason)")])
        }
        let pdf = try finisher.finish(typeset, info: spec.info)
        var warnings = glyphs
        // Every conditional false, or every shown value empty: a blank page is almost never meant.
        if spec.body.allSatisfy(Self.drawsNothing) {
            warnings.append(Diagnostic(.emptyDocument, "the document's body is empty (every condition in it was false, or every value it "
                                       + "shows is empty): it is one blank page; check the row's data"))
        }
        // Characters of the template's own text (the data's are named above, by field).
        let fromTemplate = typeset.missingCharacters.filter { !fromData.contains($0) }
        if !fromTemplate.isEmpty {
            warnings.append(Diagnostic(.missingGlyphs, "template text: no shipped font has "
                                       + "\(GlyphCoverage.describe(fromTemplate)); printed without them"))
        }
        return Output(pdf: pdf, pages: typeset.pageCount, signatures: typeset.signatures, fields: typeset.fields, warnings: warnings)
    }
}

extension DocumentGenerator {
    /// Blocks that put nothing on a page.
    static func drawsNothing(_ block: Block) -> Bool {
        switch block {
        case .pageBreak, .spacer: true
        case .keepTogether(let blocks): blocks.allSatisfy(drawsNothing)
        default: false
        }
    }
}

/// Where a template's clause library is by default: `clauses/` beside the template.
public enum TemplateLocations {
    public static func clauseLibrary(for template: URL) -> URL {
        template.deletingLastPathComponent().appendingPathComponent("clauses")
    }
}
