import Foundation
@testable import PDFSyntaxFuzz
import PDFSyntax
import TestSupport
import Testing

/// Every input the fuzzer found a problem with (Fixtures/fuzz-regressions), replayed through the
/// fuzz harness: each must read to a document or a `PDFError` in every mode, and keep the
/// harness's invariants. Plus the seed corpus, and focused tests of the fixes (docs/robustness.md).
@Suite struct FuzzRegressionTests {
    static func files(in folder: String) -> [String] {
        let directory = TestEnvironment.fixtures.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".dict") }.sorted()
            .map { directory.appendingPathComponent($0).path }
    }

    @Test func thereAreRegressionsAndSeeds() {
        #expect(!Self.files(in: "fuzz-regressions").isEmpty)
        #expect(Self.files(in: "fuzz-seeds").count >= 20)
    }

    @Test(arguments: files(in: "fuzz-regressions") + files(in: "fuzz-seeds"))
    func replaysCleanly(path: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let report = FuzzHarness.exercise([UInt8](bytes))
        #expect(report.violations.isEmpty, "\(report.outcomes)")
        #expect(report.outcomes.count == FuzzHarness.modes.count)
    }

    /// Finding 1: an xref stream with a PNG predictor and more than ~64 rows did not decode,
    /// because its output cap ignored the predictor's filter-type byte per row.
    @Test(arguments: [XRefStyle.table, .stream])
    func largeXRefStreamsRead(style: XRefStyle) throws {
        let file = SamplePDFs.file(pages: 100, xref: style)
        let document = try PDFDocument(bytes: file)
        #expect(try document.pages().count == 100)
        let rewritten = try document.rewritten(xrefStyle: .stream)
        #expect(try PDFDocument(bytes: rewritten).pages().count == 100)
    }
}

/// Focused tests of the fixes, one per finding (docs/robustness.md).
@Suite struct FuzzFindingTests {
    /// Finding 2: a tolerant read keeps a header version like "\u{FFFD}.7"; the rewrite copied it
    /// into a header that strict reading rejects. Strict reading now also wants an ASCII digit.
    @Test func rewriteWritesAPlainVersion() throws {
        var file = SamplePDFs.file()
        file[5] = 0xFF
        #expect(throws: PDFError(.notPDF, "")) { try PDFDocument(bytes: file) }
        let tolerant = try PDFDocument(bytes: file, mode: .tolerant(reconstruct: false))
        let rewritten = try tolerant.rewritten()
        #expect(Array(rewritten.prefix(8)) == Array("%PDF-1.7".utf8))
        #expect(try PDFDocument(bytes: rewritten).pages().count == 1)

        let superscript = Array("%PDF-\u{00B9}.7".utf8) + file.dropFirst(8)
        #expect(throws: PDFError(.notPDF, "")) { try PDFDocument(bytes: superscript) }
    }

    /// Findings 3–5: reconstruction took any `n g obj` as an object — a number near Int.max
    /// overflowed `/Size`, a huge number made a rewrite list billions of free entries, and a
    /// generation over 65535 made a rewrite's table entries longer than 20 bytes.
    @Test func reconstructionKeepsToTheLimits() throws {
        let text = "%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
            + "2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n"
            + "9223372036854775807 0 obj null endobj\n42949672951 0 obj null endobj\n3 70000 obj null endobj\n"
        let document = try PDFDocument(bytes: Array(text.utf8), mode: .tolerant(reconstruct: true))
        #expect(document.objectNumbers() == [1, 2])
        #expect(document.trailer["Size"] == .integer(3))
        let rewritten = try document.rewritten()
        #expect(try PDFDocument(bytes: rewritten).objectNumbers() == [1, 2])
    }

    static func regression(_ name: String) throws -> [UInt8] {
        let url = TestEnvironment.fixtures.appendingPathComponent("fuzz-regressions").appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }

    /// Findings 7–13, from reading the code while triaging: numbers from the file near Int.max
    /// overflowed sums that checked them, and negative offsets reached the lexer.
    @Test func hostileNumbersAreErrors() throws {
        let length = try PDFDocument(bytes: try Self.regression("review-stream-length-overflow.pdf"))
        #expect(throws: PDFError(.badStream, "")) { try length.object(PDFReference(4)) }
        #expect(throws: PDFError(.badXref, "")) {
            try PDFDocument(bytes: try Self.regression("review-xref-subsection-overflow.pdf"))
        }
        #expect(throws: PDFError(.badXref, "")) {
            try PDFDocument(bytes: try Self.regression("review-xrefstream-index-overflow.pdf"))
        }
        #expect(throws: PDFError(.badXref, "")) {
            try PDFDocument(bytes: try Self.regression("review-xrefstm-negative-offset.pdf"))
        }
        let objectStream = try PDFDocument(bytes: try Self.regression("review-objstm-offset-overflow.pdf"))
        #expect(throws: PDFError(.badStream, "")) { try objectStream.object(PDFReference(3)) }
    }

    @Test func negativeXRefStreamOffsetsAreOutsideTheFile() throws {
        let bytes = try Self.regression("review-xrefstream-negative-offset.pdf")
        #expect(throws: PDFError(.xrefEntryMismatch, "")) { try PDFDocument(bytes: bytes) }
        let tolerant = try PDFDocument(bytes: bytes, mode: .tolerant(reconstruct: false))
        #expect(try tolerant.object(PDFReference(3)) == .null)
        #expect(tolerant.warnings.contains { $0.message.contains("outside the file") })
    }

    @Test func anIncrementalUpdateIgnoresAnImpossibleSize() throws {
        let document = try PDFDocument(bytes: try Self.regression("review-trailer-size-overflow.pdf"))
        var update = IncrementalUpdate(document: document)
        #expect(update.add(.null) == PDFReference(5))
        #expect(try PDFDocument(bytes: update.write().bytes).revisions.count == 2)
    }

    /// Finding 6: an xref table entry may spell generation 80000 in its five digits. Tolerant
    /// reading resolved that object to null, and a rewrite wrote `11 80000 obj`, which is no header.
    @Test func xrefEntriesHaveSmallGenerations() throws {
        let file = SamplePDFs.file()
        let table = try #require(SamplePDFs.lastIndex(of: Array("\nxref\n".utf8), in: file)) + 1
        let header = Array("xref\n0 7\n".utf8)
        #expect(Array(file[table..<(table + header.count)]) == header)
        var patched = file
        let generation = table + header.count + 20 * 3 + 11  // object 3's generation digits
        patched.replaceSubrange(generation..<(generation + 5), with: Array("80000".utf8))
        #expect(throws: PDFError(.badXref, "")) { try PDFDocument(bytes: patched) }
        #expect(throws: PDFError(.badXref, "")) { try PDFDocument(bytes: patched, mode: .tolerant(reconstruct: false)) }
        let rebuilt = try PDFDocument(bytes: patched, mode: .tolerant(reconstruct: true))
        #expect(try PDFDocument(bytes: try rebuilt.rewritten()).pages().count == 1)
    }
}
