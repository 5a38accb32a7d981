import Foundation
import PDFSyntax
@testable import Signing
import TestSupport
import Testing
import Verification

/// DESIGN.md §7's verdicts on structure: a harmless deviation is a note and the signature is
/// judged on its merits; an ambiguity after the signature is FAILED; one inside the signed
/// revision itself is INDETERMINATE with the anomaly named — never PASSED.
@Suite struct StructureVerdictTests {
    let fixtures = VerificationFixtures.shared

    /// The contract with object `number`'s xref row pointing at object `target`'s header.
    private func misdirected(_ bytes: [UInt8], row number: Int, to target: Int) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        guard case .inUse(let from, _)? = document.entry(for: number), case .inUse(let to, _)? = document.entry(for: target) else {
            throw PDFError(.missingObject, "objects \(number) and \(target) must be uncompressed")
        }
        return StructureSurgery.repointRow(bytes, from: from, to: to)
    }

    /// The Info dictionary's number and the catalog's: objects nothing in a signature check reads.
    private func infoAndCatalog(_ bytes: [UInt8]) throws -> (info: Int, catalog: Int) {
        let document = try PDFDocument(bytes: bytes)
        let info = try #require(document.trailer["Info"]?.referenceValue?.number)
        let catalog = try #require(document.trailer["Root"]?.referenceValue?.number)
        return (info, catalog)
    }

    @Test func harmlessDeviationsAreNotesAndTheSignatureStillPasses() throws {
        var input = StructureSurgery.replaceFirst("0000000000 65535 f", with: "0000000000 65536 f", in: fixtures.contract)
        input = StructureSurgery.insertBeforeLastStartxref("%iText-5.5.13 (c) 2000-2022 iText Group NV\n", in: input)
        let signed = try fixtures.sign(input, .field("sig_customer"))
        // Signed as an incremental update: every input byte kept.
        #expect(Array(signed.prefix(input.count)) == input)
        let report = fixtures.trusted.verify(bytes: signed)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(Set(report.notes.map(\.code)) == ["freeGeneration65536", "commentInFileTrailer"])
        #expect(report.notes.allSatisfy { $0.offset != nil })
        #expect(report.text.contains("note: "))
    }

    @Test func anAmbiguityInsideTheSignedRevisionIsIndeterminate() throws {
        let objects = try infoAndCatalog(fixtures.contract)
        let odd = try misdirected(fixtures.contract, row: objects.info, to: objects.catalog)
        #expect(throws: PDFError(.xrefEntryMismatch, "")) { try PDFDocument(bytes: odd, mode: .strict) }
        // Signed as a careless tool would: as it is, no rewrite.
        let signer = try PDFSigner(identity: try fixtures.identity())
        signer.preparesInput = false
        let signed = try signer.sign(odd, request: SignatureRequest(placement: .field("sig_customer"), signingTime: fixtures.time))
        let report = fixtures.trusted.verify(bytes: signed)
        #expect(report.verdict == .indeterminate, "\(report.text)")
        let signature = try #require(report.signatures.first)
        #expect(signature.verdict == .indeterminate)
        #expect(signature.issues.map(\.code) == [.ambiguousStructure])
        #expect(signature.reasons.first?.contains("xref entry for object \(objects.info) 0 points at object \(objects.catalog) 0") == true)
        #expect(signature.reasons.first?.contains("the signed revision itself") == true)
    }

    @Test func anAmbiguityAfterTheSignatureIsFailed() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let document = try PDFDocument(bytes: signed)
        let objects = try infoAndCatalog(signed)
        guard case .inUse(let catalogOffset, _)? = document.entry(for: objects.catalog) else { throw PDFError(.missingObject, "") }
        // An update whose only row names the Info dictionary at the catalog's header.
        let attacked = StructureSurgery.appendXrefOnlyUpdate(
            signed, rows: [(objects.info, catalogOffset)], previousXref: document.revisions.last!.xrefOffset,
            trailerEntries: "/Size \(document.trailer["Size"]!.intValue!) /Root \(objects.catalog) 0 R /Info \(objects.info) 0 R")
        let report = fixtures.trusted.verify(bytes: attacked)
        #expect(report.verdict == .failed, "\(report.text)")
        let signature = try #require(report.signatures.first)
        #expect(signature.verdict == .failed)
        #expect(signature.issues.map(\.code).contains(.ambiguousStructure))
        #expect(signature.reasons.contains { $0.contains("after the signed one") })
    }

    @Test func anAmbiguityInAFileWithoutSignaturesIsAFileLevelFailure() throws {
        let objects = try infoAndCatalog(fixtures.contract)
        let odd = try misdirected(fixtures.contract, row: objects.info, to: objects.catalog)
        let report = fixtures.trusted.verify(bytes: odd)
        #expect(report.verdict == .failed)
        #expect(report.fileIssues.map(\.code).contains(.ambiguousStructure))
    }
}

/// A revision the `/Prev` chain skips: an update after a signature whose `/Prev` names the
/// revision before the signed one, so a chain-following reader sees an unsigned file while a
/// scanning one sees the signature (found by a hostile-input trial: it was INDETERMINATE, "no
/// signatures"). An embedded PDF's own `%%EOF` inside an update is not taken for one.
@Suite struct SkippedRevisionTests {
    let fixtures = VerificationFixtures.shared

    /// An update of the Info dictionary on top of `bytes`, its `/Prev` pointing at `prev`.
    private func update(_ bytes: [UInt8], prev: Int? = nil, extra: PDFObject? = nil) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        var update = IncrementalUpdate(document: document)
        let info = try #require(document.trailer["Info"]?.referenceValue)
        update.set(info, .dictionary(["Title": .string(PDFString(text: "Edited"))]))
        if let extra { _ = update.add(extra) }
        var output = update.write().bytes
        if let prev {
            let current = document.revisions.last!.sections.last!.offset
            let key = try #require(ByteSurgery.find("/Prev \(current)", in: output, from: bytes.count))
            let replacement = "/Prev \(prev)"
            ByteSurgery.fill(&output, key..<(key + "/Prev \(current)".utf8.count), with: replacement)
        }
        return output
    }

    @Test func aSignedRevisionSkippedByPrevIsFailed() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let original = try PDFDocument(bytes: fixtures.contract).revisions.last!.sections.last!.offset
        let skipping = try update(signed, prev: original)
        let report = fixtures.trusted.verify(bytes: skipping)
        #expect(report.verdict == .failed, "\(report.text)")
        #expect(report.allReasons.contains("that the /Prev chain skips"), "\(report.allReasons)")
        // The same update chained properly passes.
        #expect(fixtures.trusted.verify(bytes: try update(signed)).verdict == .passed)
    }

    @Test func anEmbeddedPDFInAnUpdateIsNotARevision() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let embedded = DocumentEdits.stream(String(decoding: fixtures.contract, as: UTF8.self), ["Type": .name("EmbeddedFile")])
        let document = try PDFDocument(bytes: try update(signed, extra: embedded))
        #expect(document.revisions.count == 3)
        #expect(document.ambiguities.isEmpty, "\(document.ambiguities)")
    }
}

/// After the last `%%EOF`: whitespace is a note that no signature covers it (it was reported as
/// "whole file" without a word); anything else is bytes no cross-reference explains.
@Suite struct TrailingBytesTests {
    let fixtures = VerificationFixtures.shared

    @Test func whitespaceAfterTheLastEOFIsNotedAndAnythingElseFails() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        let padded = fixtures.trusted.verify(bytes: signed + [0, 0, 0x20, 0x0A, 0])
        #expect(padded.verdict == .passed, "\(padded.text)")
        let note = try #require(padded.notes.first { $0.code == "whitespaceAfterEOF" })
        #expect(note.offset == signed.count && note.message.contains("5 byte(s)"), "\(note)")
        #expect(fixtures.trusted.verify(bytes: signed).notes.isEmpty, "one end of line after %%EOF is no note")
        // A comment line is nothing to the syntax either (pyHanko and pdfsig agree): a note. One
        // naming an object, a stream or a cross-reference — what a repairing reader scans raw
        // bytes for — and any other bytes stay unexplained.
        let commented = fixtures.trusted.verify(bytes: signed + Array("% appended by a mailer\r\n%another\n".utf8))
        #expect(commented.verdict == .passed && commented.notes.contains { $0.code == "commentAfterEOF" }, "\(commented.text)")
        // A second %%EOF (some writers end files with two) is a comment line too.
        for tail in ["%%EOF\n", "% archived\n%%EOF\r\n\n"] {
            let twice = fixtures.trusted.verify(bytes: signed + Array(tail.utf8))
            #expect(twice.verdict == .passed && twice.notes.contains { $0.code == "commentAfterEOF" }, "\(twice.text)")
        }
        for tail in ["% 9 0 obj << /Type /Catalog >>\n", "%ok\nnot a comment\n", "% a\n%%trailer\n", "%%EOF\nGARBAGE\n%%EOF\n"] {
            #expect(fixtures.trusted.verify(bytes: signed + Array(tail.utf8)).verdict == .failed, "\(tail.debugDescription)")
        }
    }
}
