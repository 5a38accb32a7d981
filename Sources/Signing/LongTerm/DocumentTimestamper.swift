import CountersignCrypto
import Foundation
import PDFSyntax

/// Adds a document timestamp (ISO 32000-2 §12.8.5, PAdES B-LTA's archive timestamp): an
/// incremental update with a new invisible signature field whose value is a `/DocTimeStamp`
/// dictionary (`/SubFilter /ETSI.RFC3161`), its `/Contents` an RFC 3161 token over the byte
/// ranges — so it covers every byte before it, the DSS included.
struct DocumentTimestamper {
    let client: TimestampClient
    /// Bytes reserved for the token; grown and retried once if the TSA's token is larger.
    var reserve = 12_288

    /// The update's bytes, to be written after `document`'s bytes.
    func timestamp(_ document: PDFDocument) throws -> [UInt8] {
        var reserve = reserve
        for _ in 0..<2 {
            let attempt = try build(document, reserve: reserve)
            switch attempt {
            case .done(let bytes): return bytes
            case .tooSmall(let needed): reserve = needed + 1024
            }
        }
        throw SigningError(.placeholderTooSmall, "the timestamp authority's tokens keep growing past the space reserved (\(reserve) bytes)")
    }

    private enum Attempt {
        case done([UInt8])
        case tooSmall(needed: Int)
    }

    private func build(_ document: PDFDocument, reserve: Int) throws -> Attempt {
        var editor = try FormEditor(document: document)
        let pages = try document.pages()
        // As for an invisible signature: the first page that is an object of its own, or none
        // (every page direct, or no page at all).
        let page = pages.first { !$0.isDirect }
        let existing = Set(try document.formFields().map(\.name))
        var number = 1
        while existing.contains("Timestamp\(number)") { number += 1 }
        let field = editor.update.reserve()
        let value = editor.update.reserve()
        var widget: PDFDictionary = [
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"),
            "T": .string(PDFString(text: "Timestamp\(number)")), "Rect": .array([0, 0, 0, 0]), "F": 132,
            "V": .reference(value),
        ]
        if let page { widget["P"] = .reference(page.reference) }
        editor.update.set(field, .dictionary(widget))
        try editor.addField(field)
        if let page { try editor.addAnnotation(field, to: page) }
        editor.acroForm["SigFlags"] = 3
        editor.update.set(value, .dictionary([
            "Type": .name("DocTimeStamp"), "Filter": .name("Adobe.PPKLite"), "SubFilter": .name("ETSI.RFC3161"),
            "ByteRange": .array([0] + Array(repeating: .integer(PDFSigner.byteRangePlaceholder), count: 3)),
            "Contents": .string(PDFString(bytes: [UInt8](repeating: 0, count: reserve), syntax: .hex)),
        ]))
        try editor.commit()

        let output = try editor.update.makeOutput()
        let base = output.original.count
        let located = try PlaceholderLocator.patchedByteRange(in: output, signature: value)
        let placeholder = located.locator
        var appended = located.appended
        var digest = Digest(client.digest)
        output.original.withUnsafeBytes { digest.update($0) }
        appended.withUnsafeBytes {
            digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<(placeholder.contentsStart - base)]))
            digest.update(UnsafeRawBufferPointer(rebasing: $0[(placeholder.contentsEnd - base)...]))
        }
        let token = try client.timestampToken(forDigest: digest.finalize())
        guard token.count <= reserve else { return .tooSmall(needed: token.count) }
        try placeholder.patchContents(token, in: &appended)
        return .done(appended)
    }
}
