import Foundation
import PDFReader
import PDFSyntax

/// Builds an `InspectionReport` from a file: the strict object layer for structure, poppler
/// only for finding text.
public struct Inspector: Sendable {
    public var mode: PDFReadingMode
    public var limits: PDFLimits
    /// The password an encrypted file opens with (its user or owner password; empty: the usual
    /// empty user password), through libcrypto.
    public var password: String

    public init(mode: PDFReadingMode = .tolerant(reconstruct: false), limits: PDFLimits = .default, password: String = "") {
        self.mode = mode
        self.limits = limits
        self.password = password
    }

    /// Inspects the file at `path`; `findText` also locates each occurrence of a text with poppler.
    public func inspect(path: String, findText: String? = nil) throws -> InspectionReport {
        let document = try open(path: path)
        var report = try inspect(document, name: path)
        if let findText { report.textMatches = try textMatches(of: findText, path: path) }
        return report
    }

    /// The document at `path`, read in this inspector's mode and limits.
    public func open(path: String) throws -> PDFDocument {
        do {
            return try PDFDocument(path: path, mode: mode, limits: limits, decryption: .openSSL(password: password))
        } catch let error as PDFError where mode == .tolerant(reconstruct: false) && error.code != .encrypted
            && error.code != .wrongPassword && error.code != .limitExceeded && error.code != .notPDF && error.code != .io {
            throw PDFError(error.code, error.reason + " — `inspect --repair` rebuilds a broken cross-reference by scanning the file",
                           offset: error.offset, object: error.object)
        }
    }

    /// Each occurrence of a text in the file at `path`, found with poppler.
    public func textMatches(of text: String, path: String) throws -> [InspectionReport.TextOccurrence] {
        let reader = try DocumentReader(path: path)
        return reader.find(text: text).map {
            InspectionReport.TextOccurrence(page: $0.page, rect: [$0.rect.minX, $0.rect.minY, $0.rect.maxX, $0.rect.maxY])
        }
    }

    /// "n g" for a reference (thousands per report: its digits are written straight into the
    /// string, which for up to 15 bytes is stored inline).
    private static func numberAndGeneration(_ reference: PDFReference) -> String {
        guard reference.number >= 0, reference.generation >= 0 else {
            return String(reference.number) + " " + String(reference.generation)
        }
        let numberDigits = decimalDigits(reference.number)
        let generationDigits = decimalDigits(reference.generation)
        return String(unsafeUninitializedCapacity: numberDigits + 1 + generationDigits) { buffer in
            writeDigits(reference.number, count: numberDigits, into: buffer, at: 0)
            buffer[numberDigits] = UInt8(ascii: " ")
            writeDigits(reference.generation, count: generationDigits, into: buffer, at: numberDigits + 1)
            return numberDigits + 1 + generationDigits
        }
    }

    private static func decimalDigits(_ value: Int) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 { rest /= 10; count += 1 }
        return count
    }

    private static func writeDigits(_ value: Int, count: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = value
        for index in stride(from: start + count - 1, through: start, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    /// A coordinate to 1/100 pt: what a reader can use, without float noise (313.17599999999993).
    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// The files attached through the catalog's `/Names /EmbeddedFiles` tree, in tree order.
    static func embeddedFiles(_ document: PDFDocument) throws -> [InspectionReport.EmbeddedFile] {
        guard let names = try document.resolve(try document.catalog(), "Names")?.dictionaryValue,
              let root = try document.resolve(names, "EmbeddedFiles")?.dictionaryValue else { return [] }
        var files: [InspectionReport.EmbeddedFile] = []
        // Each node once, however many parents name it: a tree whose nodes each name the next
        // twice would otherwise be walked 2^depth times (a 4.7 KB file took 26 s and 3.4 GB).
        var seen: Set<PDFReference> = []
        func walk(_ node: PDFDictionary, depth: Int) throws {
            guard depth < 32, files.count < 10_000 else { return }
            if let pairs = try document.resolve(node, "Names")?.arrayValue {
                for index in stride(from: 0, to: pairs.count - 1, by: 2) where files.count < 10_000 {
                    let key = try document.resolve(pairs[index]).stringValue?.text ?? ""
                    guard let spec = try document.resolve(pairs[index + 1]).dictionaryValue else { continue }
                    let name = try (document.resolve(spec, "UF") ?? document.resolve(spec, "F"))?.stringValue?.text ?? key
                    let stream = try document.resolve(spec, "EF")?.dictionaryValue.flatMap { try document.resolve($0, "F") }
                    let dictionary = stream.flatMap { object -> PDFDictionary? in
                        if case .stream(let stream) = object { return stream.dictionary }
                        return nil
                    }
                    let size = try dictionary.flatMap { try document.resolve($0, "Params")?.dictionaryValue }
                        .flatMap { try document.resolve($0, "Size")?.intValue }
                    files.append(InspectionReport.EmbeddedFile(
                        name: name, bytes: size, mimeType: dictionary.flatMap { $0["Subtype"]?.nameValue?.string },
                        relationship: try document.resolve(spec, "AFRelationship")?.nameValue?.string,
                        description: try document.resolve(spec, "Desc")?.stringValue?.text))
                }
            }
            for kid in try document.resolve(node, "Kids")?.arrayValue ?? [] {
                if let reference = kid.referenceValue, !seen.insert(reference).inserted { continue }
                if let child = try document.resolve(kid).dictionaryValue { try walk(child, depth: depth + 1) }
            }
        }
        try walk(root, depth: 0)
        return files
    }

    /// Inspects a parsed document.
    public func inspect(_ document: PDFDocument, name: String) throws -> InspectionReport {
        let revisions = document.revisions.map { revision in
            // Numbered from 1, as verify numbers them.
            InspectionReport.Revision(index: revision.index + 1, startOffset: revision.startOffset,
                                      endOffset: revision.endOffset, xref: revision.xrefKind.rawValue,
                                      xrefOffset: revision.xrefOffset,
                                      objects: revision.definedObjects.map(Self.numberAndGeneration),
                                      freed: revision.freedObjects.map(Self.numberAndGeneration))
        }
        let pages = try document.pages()
        let formFields = try document.formFields()
        var fields: [InspectionReport.Field] = []
        var signatures: [InspectionReport.Signature] = []
        for field in formFields {
            let widget = field.widgets.first
            var value: String? = nil
            if field.kind != .signature, let raw = field.value {
                switch try document.resolve(raw) {
                case .string(let string): value = string.text
                case .name(let name): value = name.string
                default: value = nil
                }
            }
            fields.append(InspectionReport.Field(name: field.name, type: field.kind.rawValue, page: widget?.page,
                                                 rect: widget?.rect.map { [$0.x0, $0.y0, $0.x1, $0.y1].map(Self.rounded) },
                                                 signed: field.isSigned, value: value))
            if field.isSigned, let raw = field.value, case .dictionary(let signature) = try document.resolve(raw) {
                let range = try document.resolve(signature, "ByteRange")?.arrayValue?.compactMap(\.intValue)
                let end = range.flatMap { $0.count == 4 ? $0[2] + $0[3] : nil }
                let revision = end.flatMap { end in document.revisions.first(where: { $0.endOffset == end }).map { $0.index + 1 } }
                signatures.append(InspectionReport.Signature(
                    field: field.name, subFilter: try document.resolve(signature, "SubFilter")?.nameValue?.string,
                    byteRange: range, revision: revision, coversWholeFile: end == document.bytes.count))
            }
        }
        return InspectionReport(
            file: name, bytes: document.bytes.count, version: document.headerVersion, revisions: revisions,
            pages: pages.count,
            pageSizes: pages.map {
                InspectionReport.PageSize(page: $0.number, width: $0.mediaBox.width, height: $0.mediaBox.height,
                                          rotation: $0.rotation)
            },
            fields: fields, signatures: signatures, embeddedFiles: try Self.embeddedFiles(document),
            metadata: try document.metadata().entries,
            warnings: document.warnings.map(\.description), reconstructed: document.wasReconstructed,
            textMatches: nil)
    }
}
