import Foundation
import PDFSyntax
import TestSupport
import Testing

/// `countersign inspect` as a user runs it: JSON shape, text output, exit codes and one-line errors.
@Suite struct InspectCommandTests {
    private func samplePDF(in directory: URL, pages: Int = 2) throws -> URL {
        var objects: [PDFReference: PDFObject] = [:]
        var kids: [PDFObject] = []
        for index in 0..<pages {
            let page = PDFReference(10 + index)
            kids.append(.reference(page))
            objects[page] = .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                         "Annots": index == 0 ? [.reference(PDFReference(5))] : []])
        }
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2)),
                                                "AcroForm": .dictionary(["Fields": [.reference(PDFReference(5))]])])
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Kids": .array(kids), "Count": .integer(pages),
                                                "MediaBox": [0, 0, 595, 842]])
        objects[PDFReference(3)] = .dictionary(["Title": .string(PDFString(text: "Inspect me"))])
        objects[PDFReference(5)] = .dictionary(["FT": .name("Sig"), "T": .string(PDFString(text: "sig_customer")),
                                                "Type": .name("Annot"), "Subtype": .name("Widget"),
                                                "Rect": [72, 100, 288, 143], "F": 4, "P": .reference(PDFReference(10))])
        let bytes = PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1)),
                                                                       "Info": .reference(PDFReference(3))])
        let url = directory.appendingPathComponent("sample.pdf")
        try Data(bytes).write(to: url)
        return url
    }

    private func countersign(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestEnvironment.countersignExecutable.path, arguments)
    }

    /// A page size no integer holds (a hostile-input trial trapped the text output on it).
    @Test func aPageWiderThanAnyIntegerIsPrintedNotTrapped() throws {
        let directory = try TestEnvironment.scratchDirectory()
        var objects: [PDFReference: PDFObject] = [:]
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))])
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Kids": [.reference(PDFReference(3))], "Count": 1])
        objects[PDFReference(3)] = .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)),
                                                "MediaBox": [0, 0, .real(1e19), .real(-1e300)]])
        let bytes = PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1))])
        let url = directory.appendingPathComponent("huge.pdf")
        try Data(bytes).write(to: url)
        let result = try countersign(["inspect", url.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        #expect(result.stdout.contains("1 page") && result.stdout.contains("1e+19"), "\(result.stdout)")
    }

    /// An embedded-files name tree whose every node names the next one twice: each node is
    /// read once (it took 26 s and 3.4 GB, printing one file 2^30 times).
    @Test func aNameTreeThatNamesANodeTwiceIsWalkedOnce() throws {
        let directory = try TestEnvironment.scratchDirectory()
        var objects: [PDFReference: PDFObject] = [:]
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2)),
                                                "Names": .dictionary(["EmbeddedFiles": .reference(PDFReference(10))])])
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Kids": [.reference(PDFReference(3))], "Count": 1])
        objects[PDFReference(3)] = .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)), "MediaBox": [0, 0, 612, 792]])
        for level in 10..<40 {
            let next = PDFReference(level + 1)
            objects[PDFReference(level)] = .dictionary(["Kids": [.reference(next), .reference(next)]])
        }
        objects[PDFReference(40)] = .dictionary(["Names": [.string(PDFString(text: "a.txt")), .reference(PDFReference(41))]])
        objects[PDFReference(41)] = .dictionary(["Type": .name("Filespec"), "F": .string(PDFString(text: "a.txt"))])
        let url = directory.appendingPathComponent("tree.pdf")
        try Data(PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1))])).write(to: url)
        let result = try runCommand("/usr/bin/timeout", ["60", TestEnvironment.countersignExecutable.path, "inspect", url.path, "--json"])
        #expect(result.status == 0, "\(result.status) \(result.stderr.prefix(300))")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((json?["embeddedFiles"] as? [[String: Any]])?.count == 1, "\(result.stdout.prefix(500))")
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = try samplePDF(in: directory)
        let result = try countersign(["inspect", file.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        for key in ["version", "revisions", "pages", "pageSizes", "fields", "signatures", "metadata", "warnings"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(json["pages"] as? Int == 2)
        let revisions = try #require(json["revisions"] as? [[String: Any]])
        #expect(revisions.count == 1)
        #expect(revisions[0]["xref"] as? String == "table")
        #expect(revisions[0]["startOffset"] as? Int == 0)
        let fields = try #require(json["fields"] as? [[String: Any]])
        #expect(fields.first?["name"] as? String == "sig_customer")
        #expect(fields.first?["type"] as? String == "signature")
        #expect(fields.first?["page"] as? Int == 1)
        #expect(fields.first?["rect"] as? [Double] == [72, 100, 288, 143])
        #expect(fields.first?["signed"] as? Bool == false)
        #expect((json["metadata"] as? [String: String])?["Title"] == "Inspect me")
    }

    @Test func textOutputNamesRevisionsAndFields() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = try samplePDF(in: directory)
        let result = try countersign(["inspect", file.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("2 pages"))
        #expect(result.stdout.contains("sig_customer  signature  page 1  [72 100 288 143]  unsigned"))
        #expect(result.stdout.contains("595 × 842 pt: 2 pages"))
    }

    @Test func malformedFileExits65WithTheOffset() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = try samplePDF(in: directory)
        var bytes = [UInt8](try Data(contentsOf: file))
        bytes += Array("junk after eof".utf8)
        try Data(bytes).write(to: file)
        let strict = try countersign(["inspect", "--strict", file.path])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("byte offset"))
        #expect(strict.stderr.split(separator: "\n").count == 1)
        // Tolerant (the default) reports it as a warning instead.
        let tolerant = try countersign(["inspect", file.path, "--json"])
        #expect(tolerant.status == 0)
        #expect(tolerant.stdout.contains("follow the last '%%EOF'"))
    }

    @Test func missingFileExits66() throws {
        let result = try countersign(["inspect", "/nonexistent/file.pdf"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("no such file"))
    }

    @Test func notAPDFExits65() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let file = directory.appendingPathComponent("note.pdf")
        try Data("just text".utf8).write(to: file)
        let result = try countersign(["inspect", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("not a PDF"))
    }

    @Test func conflictingFlagsAreAUsageError() throws {
        let result = try countersign(["inspect", "--strict", "--repair", "x.pdf"])
        #expect(result.status == 64)
    }

    @Test func findTextReportsPageAndRectangle() throws {
        let directory = try TestEnvironment.scratchDirectory()
        let source = directory.appendingPathComponent("text.pdf")
        let objects: [PDFReference: PDFObject] = [
            PDFReference(1): .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))]),
            PDFReference(2): .dictionary(["Type": .name("Pages"), "Kids": [.reference(PDFReference(3)), .reference(PDFReference(5))],
                                          "Count": 2, "MediaBox": [0, 0, 612, 792],
                                          "Resources": .dictionary(["Font": .dictionary(["F1": .reference(PDFReference(7))])])]),
            PDFReference(3): .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)), "Contents": .reference(PDFReference(4))]),
            PDFReference(4): .stream(PDFStream(dictionary: [:], encodedData: Array("BT /F1 12 Tf 72 700 Td (Nothing here) Tj ET".utf8))),
            PDFReference(5): .dictionary(["Type": .name("Page"), "Parent": .reference(PDFReference(2)), "Contents": .reference(PDFReference(6))]),
            PDFReference(6): .stream(PDFStream(dictionary: [:], encodedData: Array("BT /F1 12 Tf 100 200 Td (Sign here:) Tj ET".utf8))),
            PDFReference(7): .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")]),
        ]
        try Data(PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1))])).write(to: source)
        let result = try countersign(["inspect", source.path, "--json", "--find-text", "Sign here"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        let matches = try #require(json["textMatches"] as? [[String: Any]])
        #expect(matches.count == 1)
        #expect(matches.first?["page"] as? Int == 2)
        let rect = try #require(matches.first?["rect"] as? [Double])
        #expect(abs(rect[0] - 100) < 2)
        #expect(rect[1] < 200 && rect[3] > 200)
    }
}
