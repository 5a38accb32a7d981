import Foundation
import PDFSyntax
import TestSupport
import Testing

/// Full writes and incremental updates, judged by our strict reader and by `qpdf --check`.
@Suite struct WriterTests {
    @Test(arguments: [XRefStyle.table, .stream])
    func fullWriteRoundTrips(style: XRefStyle) throws {
        let original = try PDFDocument(bytes: SamplePDFs.file(pages: 2, xref: style))
        let rewritten = try PDFDocument(bytes: try original.rewritten(xrefStyle: style))
        #expect(try rewritten.allObjects() == original.allObjects())
        #expect(try rewritten.pages().count == 2)
    }

    @Test(arguments: [XRefStyle.table, .stream])
    func incrementalUpdateKeepsEveryOriginalByte(style: XRefStyle) throws {
        let bytes = SamplePDFs.file(pages: 2, xref: style)
        let document = try PDFDocument(bytes: bytes)
        var update = IncrementalUpdate(document: document)
        let note = update.add(.string(PDFString(text: "added in revision 1")))
        update.set(PDFReference(3), .dictionary(["Title": .string(PDFString(text: "Changed")), "Note": .reference(note)]))
        let output = update.write()
        #expect(Array(output.bytes.prefix(bytes.count)) == bytes)

        let updated = try PDFDocument(bytes: output.bytes)
        #expect(updated.revisions.count == 2)
        #expect(updated.revisions[1].startOffset == document.revisions[0].endOffset)
        #expect(updated.revisions[1].endOffset == output.bytes.count)
        #expect(updated.revisions[1].xrefKind == (style == .table ? .table : .stream))
        #expect(try updated.metadata().title == "Changed")
        #expect(try updated.metadata(revision: 0).title == "Sample — Hello")

        let diff = try updated.diff(from: 0)
        #expect(diff.added.map(\.number).contains(note.number))
        #expect(diff.changed == [PDFReference(3)])
        #expect(diff.freed.isEmpty)
        try QPDF.expectClean(output.bytes)
    }

    @Test func severalUpdatesChainAndFreeObjects() throws {
        var bytes = SamplePDFs.file(pages: 1)
        for round in 1...3 {
            let document = try PDFDocument(bytes: bytes)
            var update = IncrementalUpdate(document: document)
            _ = update.add(.string(PDFString(text: "round \(round)")))
            if round == 3 { update.free(PDFReference(4)) }
            bytes = update.write().bytes
        }
        let document = try PDFDocument(bytes: bytes)
        #expect(document.revisions.count == 4)
        #expect(try document.object(PDFReference(4)) == .null)
        #expect(try document.object(PDFReference(4), revision: 2) != .null)
        let diff = try document.diff(from: 1, to: 3)
        #expect(diff.added.count == 2)
        #expect(diff.freed == [PDFReference(4)])
        #expect(document.revisions[3].freedObjects == [PDFReference(4, 1)])
    }

    @Test func redefiningAnObjectAtAnotherGenerationIsAnAnomaly() throws {
        let document = try PDFDocument(bytes: SamplePDFs.file())
        var update = IncrementalUpdate(document: document)
        update.set(PDFReference(3, 1), .dictionary(["Title": .string(PDFString(text: "Shadow"))]))
        let bytes = update.write().bytes
        #expect(throws: PDFError(.generationRedefined, "")) { try PDFDocument(bytes: bytes) }
        let tolerant = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: false))
        #expect(tolerant.warnings.contains { $0.message.contains("generation") })
    }

    /// Listing an object again at the very offset in force is harmless (the same bytes); pointing
    /// into an earlier revision anywhere else is an ambiguity (StrictNotBrittleTests).
    @Test func anUpdateRepeatingAnEntryUnchangedIsANote() throws {
        let bytes = SamplePDFs.file()
        let document = try PDFDocument(bytes: bytes)
        guard case .inUse(let offset, _)? = document.entry(for: 4) else { Issue.record("no entry"); return }
        let xrefAt = bytes.count
        let tail = "xref\n4 1\n\(String(format: "%010d", offset)) 00000 n\r\ntrailer\n<</Size 7 /Root 1 0 R /Prev \(document.revisions[0].xrefOffset)>>\nstartxref\n\(xrefAt)\n%%EOF\n"
        let updated = bytes + Array(tail.utf8)
        let reread = try PDFDocument(bytes: updated)
        #expect(reread.notes.map(\.code) == [.unchangedEntryRepeated])
        #expect(reread.revisions[1].definedObjects == [PDFReference(4)])
    }

    @Test func aPrevChainLoopIsAnError() throws {
        let bytes = SamplePDFs.file()
        let xrefAt = bytes.count
        let tail = "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<</Size 7 /Root 1 0 R /Prev \(xrefAt)>>\nstartxref\n\(xrefAt)\n%%EOF\n"
        #expect(throws: PDFError(.badXref, "")) { try PDFDocument(bytes: bytes + Array(tail.utf8)) }
    }
}

/// qpdf as an independent judge of what we write.
enum QPDF {
    static func expectClean(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("check.pdf")
        try Data(bytes).write(to: file)
        let result = try runCommand("qpdf", ["--check", file.path])
        #expect(result.status == 0, "qpdf --check: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("WARNING"), "qpdf warned: \(result.stdout)", sourceLocation: sourceLocation)
    }
}

/// Copying pages and forms between documents inside an incremental update.
@Suite struct ObjectImporterTests {
    @Test func importedPageAppendsToThePageTree() throws {
        let target = try PDFDocument(bytes: SamplePDFs.file(pages: 2, text: "Target"))
        let source = try PDFDocument(bytes: SamplePDFs.file(pages: 1, text: "Audit"))
        var update = IncrementalUpdate(document: target)
        var importer = ObjectImporter(source: source)
        let pagesReference = try #require(target.catalog()["Pages"]?.referenceValue)
        let newPage = try importer.importPage(1, parent: pagesReference, into: &update)
        guard case .dictionary(var pagesNode) = try target.object(pagesReference) else { Issue.record("no pages"); return }
        pagesNode["Kids"] = .array((pagesNode["Kids"]?.arrayValue ?? []) + [.reference(newPage)])
        pagesNode["Count"] = 3
        update.set(pagesReference, .dictionary(pagesNode))
        var bundle = ObjectBundle()
        let bundled = try bundle.copyPageAsForm(1, from: source)
        let form = bundle.add(into: &update)[bundled.number - 1]
        let bytes = update.write().bytes
        let result = try PDFDocument(bytes: bytes)
        #expect(try result.pages().count == 3)
        #expect(try result.pages()[2].resources?["Font"] != nil)
        guard case .stream(let xobject) = try result.object(form) else { Issue.record("no form"); return }
        #expect(xobject.dictionary["Subtype"] == .name("Form"))
        #expect(String(decoding: try result.decodedData(of: xobject), as: UTF8.self).contains("(Audit 1) Tj"))
        try QPDF.expectClean(bytes)
        let diff = try result.diff(from: 0)
        #expect(diff.changed == [pagesReference])
    }
}

/// Objects held in memory (what the typesetter makes) copied without a write and a parse.
@Suite struct ObjectTableTests {
    /// A one-page file as objects: catalog 1, pages 2, page 3, content 4, font 5.
    static func objects(mediaBox: Bool = true, font: String = "Helvetica") throws -> [PDFReference: PDFObject] {
        var page: PDFDictionary = ["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                   "Contents": .reference(PDFReference(4)),
                                   "Resources": .dictionary(["Font": .dictionary(["F1": .reference(PDFReference(5))])])]
        if mediaBox { page["MediaBox"] = .array([0, 0, 200, 100]) }
        return [
            PDFReference(1): .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))]),
            PDFReference(2): .dictionary(["Type": .name("Pages"), "Kids": .array([.reference(PDFReference(3))]), "Count": 1]),
            PDFReference(3): .dictionary(page),
            PDFReference(4): .stream(PDFStream(dictionary: ["Filter": .name("FlateDecode")],
                                               encodedData: try Flate.encode(Array("BT /F1 12 Tf 10 10 Td (Seal) Tj ET".utf8)))),
            PDFReference(5): .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name(PDFName(font))]),
        ]
    }

    @Test func aPageCopiedFromMemoryIsTheSameAsFromTheWrittenFile() throws {
        let objects = try Self.objects()
        let written = try PDFDocument(bytes: PDFFileWriter(version: "1.7").write(objects: objects, trailer: ["Root": .reference(PDFReference(1))]))
        let table = PDFObjectTable(objects: objects, pages: [PDFReference(3)])
        let target = try PDFDocument(bytes: SamplePDFs.file(pages: 1, text: "Target"))
        func update(from source: any PDFObjectSource) throws -> [UInt8] {
            var update = IncrementalUpdate(document: target)
            var bundle = ObjectBundle()
            _ = try bundle.copyPageAsForm(1, from: source)
            _ = bundle.add(into: &update)
            return update.write().bytes
        }
        let fromMemory = try update(from: table)
        #expect(fromMemory == (try update(from: written)))
        try QPDF.expectClean(fromMemory)
    }

    /// A source is known only by its identity, which a new source may take over once an earlier
    /// one is freed. A bundle that remembered copies across calls by identity drew the second
    /// form with the first source's font (seen as a signature id set in Dancing Script).
    @Test func aCopyReadsOnlyItsOwnSource() throws {
        let target = try PDFDocument(bytes: SamplePDFs.file(pages: 1, text: "Target"))
        for _ in 0..<100 {
            var bundle = ObjectBundle()
            let objects = try Self.objects(font: "Times-Roman")
            do {
                let first = PDFObjectTable(objects: try Self.objects(font: "Courier"), pages: [PDFReference(3)])
                _ = try bundle.copyPageAsForm(1, from: first)
            }
            // Allocated right after the first is freed: with malloc's reuse, often at its address.
            let second = PDFObjectTable(objects: objects, pages: [PDFReference(3)])
            let form = try bundle.copyPageAsForm(1, from: second)
            var update = IncrementalUpdate(document: target)
            let added = bundle.add(into: &update)
            let result = try PDFDocument(bytes: update.write().bytes)
            guard case .stream(let xobject) = try result.object(added[form.number - 1]),
                  let font = try result.resolve(xobject.dictionary["Resources"]?.dictionaryValue?["Font"]?.dictionaryValue?["F1"] ?? .null).dictionaryValue
            else { Issue.record("the form has no font F1"); return }
            #expect(font["BaseFont"] == .name("Times-Roman"))
        }
    }

    @Test func aPageWithoutAMediaBoxIsAClearError() throws {
        let table = PDFObjectTable(objects: try Self.objects(mediaBox: false), pages: [PDFReference(3)])
        #expect(throws: PDFError.self) { _ = try table.sourcePages() }
        do { _ = try table.sourcePages() } catch let error as PDFError {
            #expect(error.description.contains("/MediaBox"))
        }
    }
}
