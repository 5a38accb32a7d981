import PDFSyntax

/// Small PDFs built in the tests, with a known object layout:
/// 1 = catalog, 2 = pages, 3 = info, then per page: page, content stream.
enum SamplePDFs {
    static func objects(pages: Int = 1, text: String = "Hello") -> [PDFReference: PDFObject] {
        var objects: [PDFReference: PDFObject] = [:]
        var kids: [PDFObject] = []
        objects[PDFReference(3)] = .dictionary(["Title": .string(PDFString(text: "Sample — \(text)")),
                                                "Producer": .string(PDFString(text: "Countersign tests"))])
        objects[PDFReference(4)] = .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"),
                                                "BaseFont": .name("Helvetica")])
        for index in 0..<pages {
            let page = PDFReference(5 + 2 * index)
            let content = PDFReference(6 + 2 * index)
            kids.append(.reference(page))
            let drawing = Array("BT /F1 24 Tf 72 720 Td (\(text) \(index + 1)) Tj ET".utf8)
            objects[content] = .stream(PDFStream(dictionary: [:], encodedData: drawing))
            objects[page] = .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                         "Contents": .reference(content)])
        }
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))])
        objects[PDFReference(2)] = .dictionary([
            "Type": .name("Pages"), "Kids": .array(kids), "Count": .integer(pages),
            "MediaBox": [0, 0, 612, 792],
            "Resources": .dictionary(["Font": .dictionary(["F1": .reference(PDFReference(4))])]),
        ])
        return objects
    }

    static let trailer: PDFDictionary = ["Root": .reference(PDFReference(1)), "Info": .reference(PDFReference(3))]

    /// A valid single-revision file.
    static func file(pages: Int = 1, xref: XRefStyle = .table, text: String = "Hello") -> [UInt8] {
        PDFFileWriter(xrefStyle: xref).write(objects: objects(pages: pages, text: text), trailer: trailer)
    }

    /// Replaces the first occurrence of `find` with `replacement` (same length unless `allowResize`).
    static func patch(_ bytes: [UInt8], _ find: String, _ replacement: String, allowResize: Bool = false) -> [UInt8] {
        let needle = Array(find.utf8)
        let value = Array(replacement.utf8)
        precondition(allowResize || needle.count == value.count, "patch must keep the length")
        guard let start = firstIndex(of: needle, in: bytes) else { preconditionFailure("'\(find)' not found") }
        var out = bytes
        out.replaceSubrange(start..<(start + needle.count), with: value)
        return out
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int = 0) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var index = from
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    static func lastIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        var index = bytes.count - needle.count
        while index >= 0 {
            if Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index -= 1
        }
        return nil
    }
}
