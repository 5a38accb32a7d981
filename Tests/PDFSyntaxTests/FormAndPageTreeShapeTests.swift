import PDFSyntax
import Testing

/// Odd but unambiguous shapes of the field tree and the page tree are read (DESIGN.md §7,
/// "Strict means precise, not brittle"); the truly broken ones are refused naming the problem.
@Suite struct FormAndPageTreeShapeTests {
    /// The sample file with an AcroForm whose `/Fields` and field dictionaries are given.
    static func form(fields: [PDFObject], nodes: [Int: PDFDictionary]) throws -> PDFDocument {
        var objects = SamplePDFs.objects()
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2)),
                                                "AcroForm": .dictionary(["Fields": .array(fields)])])
        for (number, node) in nodes { objects[PDFReference(number)] = .dictionary(node) }
        return try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
    }

    static func text(_ name: String) -> PDFDictionary { ["T": .string(PDFString(text: name)), "FT": .name("Tx")] }
    static func parent(_ name: String, kids: [Int]) -> PDFDictionary {
        ["T": .string(PDFString(text: name)), "Kids": .array(kids.map { .reference(PDFReference($0)) })]
    }

    @Test func aFieldReachedTwiceIsListedOnceWhereFirstMet() throws {
        // Two parents share a kid, and /Fields names the kid again: a DAG, not a cycle.
        let document = try Self.form(fields: [.reference(PDFReference(20)), .reference(PDFReference(21)), .reference(PDFReference(22))],
                                     nodes: [20: Self.parent("a", kids: [22, 23]), 21: Self.parent("b", kids: [22]),
                                             22: Self.text("shared"), 23: Self.text("own")])
        let names = try document.formFields().map(\.name)
        #expect(names == ["a.shared", "a.own"])
    }

    @Test func aFieldThatIsItsOwnAncestorIsRefusedNamingTheLoop() throws {
        let document = try Self.form(fields: [.reference(PDFReference(20))],
                                     nodes: [20: Self.parent("a", kids: [21]), 21: Self.parent("b", kids: [22, 20]),
                                             22: Self.text("leaf")])
        #expect {
            try document.formFields()
        } throws: { error in
            guard let error = error as? PDFError else { return false }
            return error.code == .referenceCycle && error.object == PDFReference(20)
                && error.reason.contains("20 0 → 21 0 → 20 0") && error.reason.contains("its own ancestor")
        }
        // A field listing itself among its kids (pyHanko's form-tree-circular-ref-input) too.
        let selfLoop = try Self.form(fields: [.reference(PDFReference(20))], nodes: [20: Self.parent("a", kids: [22, 20]), 22: Self.text("x")])
        #expect(throws: PDFError(.referenceCycle, "")) { try selfLoop.formFields() }
    }

    /// A root /Count that is not the number of pages the /Kids hold: every page is read, and
    /// the note says what /Count-trusting viewers (pdfinfo, MuPDF) show instead.
    @Test func aPageCountThatDisagreesWithTheKidsIsNoted() throws {
        var objects = SamplePDFs.objects(pages: 2)
        guard case .dictionary(var root)? = objects[PDFReference(2)] else { Issue.record("no page tree root"); return }
        root["Count"] = 1
        objects[PDFReference(2)] = .dictionary(root)
        let document = try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
        #expect(try document.pages().count == 2)
        let note = try #require(document.notes.first { $0.code == .pageCountMismatch })
        #expect(note.message.contains("/Count says 1 page(s) but its /Kids hold 2"), "\(note.message)")
        // A root with a /Parent (whose attributes MuPDF would inherit) is noted too.
        guard case .dictionary(var rooted)? = objects[PDFReference(2)] else { return }
        rooted["Count"] = 2
        rooted["Parent"] = .reference(PDFReference(1))
        objects[PDFReference(2)] = .dictionary(rooted)
        let parented = try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
        _ = try parented.pages()
        #expect(parented.notes.map(\.code) == [.rootHasParent], "\(parented.notes)")
        // A right count says nothing.
        let right = try PDFDocument(bytes: PDFFileWriter().write(objects: SamplePDFs.objects(pages: 2), trailer: SamplePDFs.trailer))
        _ = try right.pages()
        #expect(right.notes.isEmpty)
    }

    /// `5 1 R` when object 5 is generation 0: null, as the standard says, with a note, since
    /// some viewers read object 5 there anyway.
    @Test func aReferenceToAnotherGenerationIsNullWithANote() throws {
        let document = try PDFDocument(bytes: PDFFileWriter().write(objects: SamplePDFs.objects(pages: 1), trailer: SamplePDFs.trailer))
        #expect(try document.object(PDFReference(5, 1)) == .null)
        #expect(try document.object(PDFReference(5, 0)) != .null)
        let note = try #require(document.notes.first { $0.code == .generationMismatch })
        #expect(note.message.contains("5 1 R names generation 1, but object 5 is generation 0"), "\(note.message)")
    }

    @Test func aPageWrittenDirectlyInKidsIsReadWithANote() throws {
        var objects = SamplePDFs.objects(pages: 1)
        let direct: PDFDictionary = ["Type": .name("Page"), "MediaBox": [0, 0, 300, 400], "Rotate": 90]
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Count": 2, "MediaBox": [0, 0, 612, 792],
                                                "Kids": .array([.reference(PDFReference(5)), .dictionary(direct)])])
        let document = try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
        let pages = try document.pages()
        #expect(pages.count == 2)
        #expect(!pages[0].isDirect && pages[0].reference == PDFReference(5))
        #expect(pages[1].isDirect && pages[1].reference == PDFReference(2) && pages[1].rotation == 90)
        #expect(pages[1].mediaBox == PDFRect(x0: 0, y0: 0, x1: 300, y1: 400))
        #expect(document.notes.map(\.code) == [.directPageInKids])
        #expect(document.notes.first?.message.contains("page 2") == true)
    }

    @Test func aKidThatIsNeitherAReferenceNorAPageIsRefused() throws {
        var objects = SamplePDFs.objects(pages: 1)
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Count": 2, "MediaBox": [0, 0, 612, 792],
                                                "Kids": .array([.reference(PDFReference(5)), 7])])
        let document = try PDFDocument(bytes: PDFFileWriter().write(objects: objects, trailer: SamplePDFs.trailer))
        #expect {
            try document.pages()
        } throws: { ($0 as? PDFError)?.reason.contains("neither an indirect reference nor a page dictionary") == true }
    }
}
