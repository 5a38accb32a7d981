import CountersignCrypto
import PDFSyntax
public import Typesetting

/// Finishes a typeset document: real AcroForm signature fields (`/FT /Sig`, named
/// `sig_<role>`) at the laid-out rectangles, `/Link` annotations, a deterministic Info
/// dictionary and XMP metadata (with provenance), the document language and a content-derived
/// `/ID`.
///
/// The typesetter hands over PDF objects, so the finisher adds to them and writes the file once
/// (no parse of an intermediate file).
public struct DocumentFinisher: Sendable {
    public init() {}

    public func finish(_ typeset: TypesetDocument, info: DocumentInfo) throws -> [UInt8] {
        var file = typeset.file
        let pages = file.pages
        guard var catalog = file[file.catalog]?.dictionaryValue else {
            throw PDFError(.badPageTree, "the typeset document has no catalog")
        }

        // Signature fields: one merged field/widget dictionary per laid-out box.
        var fields: [PDFObject] = []
        var annotationsByPage: [Int: [PDFObject]] = [:]
        var seenRoles: Set<String> = []
        for signature in typeset.signatures {
            guard seenRoles.insert(signature.role).inserted else {
                throw PDFError(.invalidArgument, "two signature boxes share the role '\(signature.role)'; roles name fields and must be unique")
            }
            guard signature.page >= 1, signature.page <= pages.count else { continue }
            let field = file.add(.dictionary([
                "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"),
                "T": .string(PDFString(text: "sig_\(signature.role)")),
                "TU": .string(PDFString(text: signature.label)),
                "Rect": PDFRect(x0: signature.x0, y0: signature.y0, x1: signature.x1, y1: signature.y1).pdfObject,
                "F": 4, "P": .reference(pages[signature.page - 1]),
            ]))
            fields.append(.reference(field))
            annotationsByPage[signature.page - 1, default: []].append(.reference(field))
        }
        for link in typeset.links where link.page >= 1 && link.page <= pages.count {
            let annotation = file.add(.dictionary([
                "Type": .name("Annot"), "Subtype": .name("Link"),
                "Rect": PDFRect(x0: link.x0, y0: link.y0, x1: link.x1, y1: link.y1).pdfObject,
                "Border": [0, 0, 0], "F": 4, "P": .reference(pages[link.page - 1]),
                "A": .dictionary(["S": .name("URI"), "URI": .string(PDFString(bytes: Array(link.url.utf8)))]),
            ]))
            annotationsByPage[link.page - 1, default: []].append(.reference(annotation))
        }
        for (index, annotations) in annotationsByPage.sorted(by: { $0.key < $1.key }) {
            guard var page = file[pages[index]]?.dictionaryValue else { continue }
            page["Annots"] = .array((page["Annots"]?.arrayValue ?? []) + annotations)
            file[pages[index]] = .dictionary(page)
        }
        if !fields.isEmpty {
            // An object of its own: poppler (pdfsig, Okular) signs a direct one's fields onto
            // the page but leaves them out of its /Fields.
            catalog["AcroForm"] = .reference(file.add(.dictionary(["Fields": .array(fields)])))
        }
        catalog["Lang"] = .string(PDFString(text: info.language))

        // Metadata: Info dictionary and XMP, both deterministic.
        let date = PDFDate(iso8601: info.date)
        var infoDictionary: PDFDictionary = [:]
        func put(_ key: PDFName, _ value: String?) {
            if let value, !value.isEmpty { infoDictionary[key] = .string(PDFString(text: value)) }
        }
        put("Title", info.title)
        put("Author", info.author)
        put("Subject", info.subject)
        put("Keywords", info.keywords)
        put("Creator", info.creator)
        put("Producer", "Countersign")
        put("CreationDate", date.pdf)
        put("ModDate", date.pdf)
        for (key, value) in info.custom.sorted(by: { $0.key < $1.key }) { put(PDFName(key), value) }
        let infoReference = file.add(.dictionary(infoDictionary))
        let metadata = file.add(.stream(PDFStream(dictionary: ["Type": .name("Metadata"), "Subtype": .name("XML")],
                                                  encodedData: XMPPacket(info: info, date: date).bytes)))
        catalog["Metadata"] = .reference(metadata)
        file[file.catalog] = .dictionary(catalog)
        return SinglePassWriter.write(file.objects, root: file.catalog, info: infoReference)
    }
}

/// Writes a complete PDF once: objects in number order, a classic cross-reference table, and an
/// `/ID` that is the SHA-256 (first 16 bytes) of every object's bytes as written — so the same
/// template, data and date give the same file.
enum SinglePassWriter {
    static func write(_ objects: [PDFReference: PDFObject], root: PDFReference, info: PDFReference) -> [UInt8] {
        var out: [UInt8] = Array("%PDF-1.7\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        out.reserveCapacity(objects.values.reduce(4096) { $0 + ($1.streamValue?.encodedData.count ?? 0) + 200 })
        var offsets: [Int: Int] = [:]
        var hasher = Digest(.sha256)
        for reference in objects.keys.sorted() {
            let start = out.count
            offsets[reference.number] = start
            out += Array("\(reference.number) 0 obj\n".utf8)
            ObjectSerializer.write(objects[reference]!, to: &out)
            out += Array("\nendobj\n".utf8)
            out.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        }
        let identifier = PDFString(bytes: Array(hasher.finalize().prefix(16)), syntax: .hex)
        let size = (objects.keys.map(\.number).max() ?? 0) + 1
        let xrefOffset = out.count
        var table = "xref\n0 \(size)\n"
        table.reserveCapacity(20 * size + 16)
        // Free entries link in ascending order from object 0 (generation 65535 for 0).
        let free = (0..<size).filter { $0 == 0 || offsets[$0] == nil }
        var nextFree: [Int: Int] = [:]
        for (position, number) in free.enumerated() { nextFree[number] = position + 1 < free.count ? free[position + 1] : 0 }
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        for number in 0..<size {
            if let offset = offsets[number] {
                table += pad(offset, 10) + " 00000 n\r\n"
            } else {
                table += pad(nextFree[number] ?? 0, 10) + (number == 0 ? " 65535 f\r\n" : " 00000 f\r\n")
            }
        }
        out += Array(table.utf8)
        out += Array("trailer\n".utf8)
        ObjectSerializer.write(.dictionary([
            "Size": .integer(size), "Root": .reference(root), "Info": .reference(info),
            "ID": .array([.string(identifier), .string(identifier)]),
        ]), to: &out)
        out += Array("\nstartxref\n\(xrefOffset)\n%%EOF\n".utf8)
        return out
    }
}
