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

    public init(template: CompiledTemplate, typesetter: Typesetter? = nil) throws {
        self.template = template
        self.typesetter = try typesetter ?? Typesetter()
    }

    /// A generated document.
    public struct Output: Sendable {
        public var pdf: [UInt8]
        public var pages: Int
        public var signatures: [PlacedSignature]
    }

    /// Generates one document from typed values; `date` (ISO 8601) fixes the metadata dates.
    public func generate(_ values: [String: TemplateValue], date: String?) throws -> Output {
        let spec = try template.bind(values, date: date)
        let typeset = try typesetter.typeset(spec)
        let pdf = try finisher.finish(typeset, info: spec.info)
        return Output(pdf: pdf, pages: typeset.pageCount, signatures: typeset.signatures)
    }
}

/// Where a template's clause library is by default: `clauses/` beside the template.
public enum TemplateLocations {
    public static func clauseLibrary(for template: URL) -> URL {
        template.deletingLastPathComponent().appendingPathComponent("clauses")
    }
}
