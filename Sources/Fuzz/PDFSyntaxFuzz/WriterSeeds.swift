import PDFSyntax

/// Seed files made by our own writers (`PDFSyntaxFuzz --write-seeds DIR`, run by
/// scripts/make-fuzz-seeds): classic table, xref stream, incremental updates of each, a form.
enum WriterSeeds {
    static func all() throws -> [(name: String, bytes: [UInt8])] {
        let table = PDFFileWriter(xrefStyle: .table).write(objects: document(pages: 2), trailer: trailer)
        let stream = PDFFileWriter(xrefStyle: .stream).write(objects: document(pages: 2), trailer: trailer)
        let form = PDFFileWriter(version: "1.7").write(objects: formDocument(), trailer: trailer)
        return [
            ("writer-table.pdf", table),
            ("writer-xrefstream.pdf", stream),
            ("writer-table-update.pdf", try updated(table)),
            ("writer-xrefstream-update.pdf", try updated(stream)),
            ("writer-form.pdf", form),
            ("writer-form-update.pdf", try updated(try updated(form))),
        ]
    }

    static let trailer: PDFDictionary = [
        "Root": .reference(PDFReference(1)), "Info": .reference(PDFReference(3)),
        "ID": [.string(PDFString(bytes: Array(0..<16), syntax: .hex)), .string(PDFString(bytes: Array(0..<16), syntax: .hex))],
    ]

    /// 1 catalog, 2 pages, 3 info, 4 font, then a page and its content stream per page.
    static func document(pages: Int) -> [PDFReference: PDFObject] {
        var objects: [PDFReference: PDFObject] = [:]
        var kids: [PDFObject] = []
        for index in 0..<pages {
            let page = PDFReference(5 + 2 * index), content = PDFReference(6 + 2 * index)
            kids.append(.reference(page))
            let drawing = Array("BT /F1 12 Tf 72 720 Td (Page \(index + 1)) Tj ET 0 0 1 rg 10 10 50 50 re f".utf8)
            let encoded = (try? Flate.encode(drawing)) ?? drawing
            objects[content] = .stream(PDFStream(dictionary: ["Filter": .name("FlateDecode")], encodedData: encoded))
            objects[page] = .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                         "Contents": .reference(content), "Rotate": .integer(90 * index)])
        }
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))])
        objects[PDFReference(2)] = .dictionary([
            "Type": .name("Pages"), "Kids": .array(kids), "Count": .integer(pages), "MediaBox": [0, 0, 612, 792],
            "Resources": .dictionary(["Font": .dictionary(["F1": .reference(PDFReference(4))])]),
        ])
        objects[PDFReference(3)] = .dictionary(["Title": .string(PDFString(text: "Fuzz seed — writer")),
                                                "Producer": .name("Countersign")])
        objects[PDFReference(4)] = .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"),
                                                "BaseFont": .name("Helvetica")])
        return objects
    }

    /// One page with an AcroForm: a text field, a parent with a checkbox kid, and a signature field.
    static func formDocument() -> [PDFReference: PDFObject] {
        var objects = document(pages: 1)
        let widget: (PDFReference?, String, [Int]) -> PDFDictionary = { parent, name, rect in
            var field: PDFDictionary = ["Type": .name("Annot"), "Subtype": .name("Widget"), "T": .string(PDFString(text: name)),
                                        "Rect": .array(rect.map { .integer($0) }), "P": .reference(PDFReference(5))]
            if let parent { field["Parent"] = .reference(parent) }
            return field
        }
        var text = widget(nil, "name", [72, 600, 300, 620])
        text["FT"] = .name("Tx")
        text["V"] = .string(PDFString(text: "Ada"))
        var box = widget(PDFReference(21), "agree", [72, 560, 90, 578])
        box["V"] = .name("Off")
        var signature = widget(nil, "Signature1", [72, 100, 272, 150])
        signature["FT"] = .name("Sig")
        objects[PDFReference(20)] = .dictionary(text)
        objects[PDFReference(21)] = .dictionary(["T": .string(PDFString(text: "group")), "FT": .name("Btn"),
                                                 "Kids": [.reference(PDFReference(22))]])
        objects[PDFReference(22)] = .dictionary(box)
        objects[PDFReference(23)] = .dictionary(signature)
        objects[PDFReference(1)] = .dictionary([
            "Type": .name("Catalog"), "Pages": .reference(PDFReference(2)),
            "AcroForm": .dictionary(["Fields": [.reference(PDFReference(20)), .reference(PDFReference(21)),
                                                .reference(PDFReference(23))], "SigFlags": 3]),
        ])
        if case .dictionary(var page)? = objects[PDFReference(5)] {
            page["Annots"] = [.reference(PDFReference(20)), .reference(PDFReference(22)), .reference(PDFReference(23))]
            objects[PDFReference(5)] = .dictionary(page)
        }
        return objects
    }

    /// The file with an incremental update: a changed info dictionary, a new object, a freed font.
    static func updated(_ bytes: [UInt8]) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        var update = IncrementalUpdate(document: document)
        update.set(PDFReference(3), .dictionary(["Title": .string(PDFString(text: "Updated")),
                                                 "ModDate": .string(PDFString(text: "D:20240101000000Z"))]))
        _ = update.add(.array([.real(1.5), .null, .bool(true), .name("New#20Name")]))
        update.free(PDFReference(4))
        return update.write().bytes
    }
}
