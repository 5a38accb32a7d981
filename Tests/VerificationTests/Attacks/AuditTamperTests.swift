import Foundation
import PDFSyntax
import Testing
import Verification

/// A sealed document's audit record and Certificate of Completion page cannot be altered: not
/// after sealing (a disallowed change and a broken chain) and not before it (a re-made seal
/// over a document the record no longer describes).
@Suite struct AuditTamperTests {
    @Test func editedAttachmentBreaksTheChainAndIsADisallowedChange() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.auditEditedAttachment(), .auditMismatch,
                                                mentioning: "edited after it was recorded")
        #expect(report.codes.contains(.disallowedModification))
        #expect(report.audit?.chainIntact == false)
    }

    @Test func editedAuditPageIsADisallowedChange() throws {
        let pages = try PDFDocument(bytes: try AttackFiles.sealed()).pages().count
        let report = AttackSupport.expectFailed(try AttackFiles.auditEditedPage(), .disallowedModification,
                                                mentioning: "page \(pages)")
        #expect(report.signatures[0].modifications.contains { !$0.allowed && $0.kind == "page-content" })
    }

    @Test func resealedAfterEditingTheDocumentBreaksTheDocumentHash() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.auditResealedAfterEdit(), .auditMismatch,
                                                mentioning: "not the one the record describes")
        #expect(report.signatures[0].verdict == .passed, "\(report.text)")
        #expect(report.audit?.chainIntact == true)
        #expect(report.audit?.documentHashMatches == false)
    }

    /// The record's document as sent (what a workflow completion states) is checked against the
    /// file's first bytes: it holds on the sealed file, and an edit re-sealed breaks it.
    @Test func theDocumentAsSentIsTheFilesFirstBytes() throws {
        let sealed = try AttackFiles.sealedStatingTheSentDocument(edited: false)
        let valid = VerificationFixtures.shared.trusted.verify(bytes: sealed)
        #expect(valid.verdict == .passed && valid.audit?.sentDocumentMatches == true, "\(valid.text)")
        #expect(valid.text.contains("document as sent (the file's first revision): matches"))
        let report = AttackSupport.expectFailed(try AttackFiles.sealedStatingTheSentDocument(edited: true), .auditMismatch,
                                                mentioning: "begins with the document as sent")
        #expect(report.audit?.sentDocumentMatches == false)
        // A CLI seal states none.
        #expect(VerificationFixtures.shared.untrusted.verify(bytes: try AttackFiles.sealed()).audit?.sentDocumentMatches == nil)
    }
}
