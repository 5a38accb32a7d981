import Foundation
import PDFSyntax
import TestSupport
import Testing
import Verification

/// Incremental saving attacks (ISA): content changed by an update appended after the signature,
/// including updates only a repairing reader understands (AttackFiles+Updates.swift).
@Suite struct IncrementalSavingAttackTests {
    @Test func isaUpdateChangesPageContent() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.isaUpdateChangesPageContent(), .disallowedModification,
                                                mentioning: "page 1 /Contents")
        let content = try DocumentEdits.contentStream(of: try PDFDocument(bytes: try AttackFiles.victim()))
        let modification = try #require(report.signatures[0].modifications.first { !$0.allowed })
        #expect(modification.kind == "page-content")
        #expect(modification.object == "\(content.number) \(content.generation)")
        #expect(report.signatures[0].coverage == "revision 2 of 3")
    }

    @Test func isaUpdateWithBrokenXref() throws {
        AttackSupport.expectFailed(try AttackFiles.isaUpdateWithBrokenXref(), .malformedFile, mentioning: "strict verification relies on")
    }

    @Test func isaUpdateWithoutXrefOrTrailer() throws {
        AttackSupport.expectFailed(try AttackFiles.isaUpdateWithoutXrefOrTrailer(), .malformedFile, mentioning: "follow")
    }

    @Test func isaUpdateWithEmptyXref() throws {
        let bytes = try AttackFiles.isaUpdateWithEmptyXref()
        #expect((try? PDFDocument(bytes: bytes)) != nil, "the update is well-formed; only its content is unexplained")
        AttackSupport.expectFailed(bytes, .unexplainedBytes, mentioning: "does not list")
    }

    /// An ambiguity after the signature (DESIGN.md §7): FAILED, the anomaly named.
    @Test func isaUpdateRedefinesUnderANewGeneration() throws {
        AttackSupport.expectFailed(try AttackFiles.isaUpdateRedefinesUnderANewGeneration(), .ambiguousStructure,
                                   mentioning: "at generation 1 while generation 0 is in use")
    }

    /// Signature stripping: an update drops the signed field from the form and its widget from
    /// the page, so a viewer shows no signature at all. The signature is still found (in the
    /// revision it signed) and the removal is a disallowed change.
    @Test func signatureFieldRemovedAfterSigning() throws {
        let document = try PDFDocument(bytes: try AttackFiles.victim())
        let field = try #require(try document.formFields().first { $0.name == "sig_customer" }?.reference)
        var update = IncrementalUpdate(document: document)
        var catalog = try document.catalog()
        if let formReference = catalog["AcroForm"]?.referenceValue {
            var form = try document.object(formReference).dictionaryValue ?? [:]
            form["Fields"] = .array((try document.resolve(form["Fields"] ?? .null).arrayValue ?? []).filter { $0.referenceValue != field })
            update.set(formReference, .dictionary(form))
        } else {
            var form = try document.resolve(catalog, "AcroForm")?.dictionaryValue ?? [:]
            form["Fields"] = .array((try document.resolve(form["Fields"] ?? .null).arrayValue ?? []).filter { $0.referenceValue != field })
            catalog["AcroForm"] = .dictionary(form)
            update.set(try #require(document.catalogReference()), .dictionary(catalog))
        }
        let report = AttackSupport.expectFailed(update.write().bytes, .disallowedModification, mentioning: "removed from the form")
        #expect(report.signatures.map(\.field) == ["sig_customer"])
        #expect(report.signatures[0].coverage == "revision 2 of 3")
    }

    /// Bytes appended after the last `%%EOF` that no revision explains.
    @Test func bytesAfterTheLastEOF() throws {
        let bytes = try AttackFiles.victim() + Array("\n4 0 obj\n(unexplained)\nendobj\n".utf8)
        AttackSupport.expectFailed(bytes, .malformedFile, mentioning: "follow the last '%%EOF'")
    }

    /// An update that only adds an unreferenced object is inert and allowed.
    @Test func inertUpdateIsAllowed() throws {
        var update = IncrementalUpdate(document: try PDFDocument(bytes: try AttackFiles.victim()))
        _ = update.add(.dictionary(["Note": .string(PDFString(text: "unused"))]))
        let report = AttackSupport.fixtures.trusted.verify(bytes: update.write().bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures[0].modifications.map(\.kind) == ["unreferenced"])
    }
}

/// The attacks are real: poppler, which repairs what it cannot read, shows the forged page and
/// still calls the signature valid — the parser differential strict verification refuses.
@Suite struct ParserDifferentialTests {
    @Test func popplerShowsTheForgedPageOfABrokenXrefUpdate() throws {
        let file = try AttackSupport.fixtures.write(try AttackFiles.isaUpdateWithBrokenXref(), "broken-xref.pdf")
        let text = try runCommand("pdftotext", [file.path, "-"]).stdout
        #expect(text.contains("PAID IN FULL"), "\(text)")
        #expect(OtherValidators.poppler(file) == "valid")
        #expect(AttackSupport.fixtures.trusted.verify(bytes: try AttackFiles.isaUpdateWithBrokenXref()).verdict == .failed)
    }
}
