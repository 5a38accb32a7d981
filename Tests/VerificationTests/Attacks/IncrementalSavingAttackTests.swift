import Foundation
import PDFSyntax
import Testing
import Verification

/// Incremental saving attacks (ISA) — Mladenov et al., CCS 2019: content changed by an update
/// appended after the signature, including updates only a repairing reader understands.
@Suite struct IncrementalSavingAttackTests {
    let signed: [UInt8]
    let document: PDFDocument
    let content: PDFReference

    init() throws {
        signed = try AttackSupport.signedContract()
        document = try PDFDocument(bytes: signed)
        content = try DocumentEdits.contentStream(of: document)
    }

    /// The new page content the attacker wants shown.
    static let forged = "BT /F1 24 Tf 72 700 Td (PAID IN FULL - NOTHING OWED) Tj ET"

    /// ISA: a well-formed update redefines page 1's content stream. The signature still verifies
    /// over its revision; only modification analysis sees the change.
    @Test func isaUpdateChangesPageContent() throws {
        var update = IncrementalUpdate(document: document)
        update.set(content, DocumentEdits.stream(Self.forged))
        let report = AttackSupport.expectFailed(update.write().bytes, .disallowedModification, mentioning: "page 1 /Contents")
        let modification = try #require(report.signatures[0].modifications.first { !$0.allowed })
        #expect(modification.kind == "page-content")
        #expect(modification.object == "\(content.number) \(content.generation)")
        #expect(report.signatures[0].coverage == "revision 2 of 3")
    }

    /// ISA: the appended update has no usable cross-reference — `startxref` points at garbage. A
    /// strict reader sees bytes no xref explains; a repairing one rebuilds the xref by scanning
    /// and shows the new object.
    @Test func isaUpdateWithBrokenXref() throws {
        var bytes = signed
        let objectOffset = bytes.count
        bytes += Array("\(content.number) \(content.generation) obj\n<< /Length \(Self.forged.utf8.count) >>\nstream\n\(Self.forged)\nendstream\nendobj\n".utf8)
        bytes += Array("xref\n0 1\nthis is not a cross-reference table\ntrailer\n<< /Size 99 /Root 1 0 R >>\nstartxref\n\(objectOffset + 3)\n%%EOF\n".utf8)
        AttackSupport.expectFailed(bytes, .malformedFile, mentioning: "strict verification relies on")
    }

    /// ISA: an update with objects but no xref section and no trailer at all, just `%%EOF` —
    /// invisible to a strict reader (the last `startxref` is the old one), visible after repair.
    @Test func isaUpdateWithoutXrefOrTrailer() throws {
        var bytes = signed
        bytes += Array("\(content.number) \(content.generation) obj\n<< /Length \(Self.forged.utf8.count) >>\nstream\n\(Self.forged)\nendstream\nendobj\n%%EOF\n".utf8)
        AttackSupport.expectFailed(bytes, .malformedFile, mentioning: "follow")
    }

    /// ISA: a syntactically valid update whose xref section is empty: the redefined content
    /// stream is in the file but listed nowhere.
    @Test func isaUpdateWithEmptyXref() throws {
        var bytes = signed
        let previous = document.revisions.last!.xrefOffset
        bytes += Array("\(content.number) \(content.generation) obj\n<< /Length \(Self.forged.utf8.count) >>\nstream\n\(Self.forged)\nendstream\nendobj\n".utf8)
        let xref = bytes.count
        let trailer = document.trailer
        let root = try #require(trailer["Root"]?.referenceValue)
        let size = try #require(trailer["Size"]?.intValue)
        bytes += Array("xref\n0 0\ntrailer\n<< /Size \(size) /Root \(root.number) \(root.generation) R /Prev \(previous) >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        #expect((try? PDFDocument(bytes: bytes)) != nil, "the update is well-formed; only its content is unexplained")
        AttackSupport.expectFailed(bytes, .unexplainedBytes, mentioning: "does not list")
    }

    /// ISA: an update defines the content stream again under generation 1 without freeing
    /// generation 0 — readers disagree on which one the page's `n 0 R` means.
    @Test func isaUpdateRedefinesUnderANewGeneration() throws {
        var update = IncrementalUpdate(document: document)
        update.set(PDFReference(content.number, content.generation + 1), DocumentEdits.stream(Self.forged))
        AttackSupport.expectFailed(update.write().bytes, .malformedFile, mentioning: "redefines object \(content.number)")
    }

    /// An update that only adds an unreferenced object is inert and allowed.
    @Test func inertUpdateIsAllowed() throws {
        var update = IncrementalUpdate(document: document)
        _ = update.add(.dictionary(["Note": .string(PDFString(text: "unused"))]))
        let report = AttackSupport.fixtures.trusted.verify(bytes: update.write().bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures[0].modifications.map(\.kind) == ["unreferenced"])
    }
}
