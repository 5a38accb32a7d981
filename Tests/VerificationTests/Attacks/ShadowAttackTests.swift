import Foundation
import PDFSyntax
import Testing
import Verification

/// Shadow attacks: hide, replace, hide-and-replace, each flipping groundwork laid before signing
/// (ShadowPreparation.swift, AttackFiles+Updates.swift). Every flip is a disallowed change.
@Suite struct ShadowAttackTests {
    private func disallowedKinds(_ report: VerificationReport) -> [String] {
        report.signatures.flatMap(\.modifications).filter { !$0.allowed }.map(\.kind)
    }

    @Test func preparedDocumentIsValid() throws {
        let report = AttackSupport.fixtures.trusted.verify(bytes: try ShadowPreparation.make().signed)
        #expect(report.verdict == .passed, "\(report.text)")
    }

    @Test func shadowHideByOptionalContent() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.shadowHide(), .disallowedModification, mentioning: "OCProperties")
        #expect(disallowedKinds(report) == ["optional-content"])
    }

    @Test func shadowReplaceXObjectContent() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.shadowReplaceContent(), .disallowedModification,
                                                mentioning: "/XObject /Terms")
        #expect(disallowedKinds(report) == ["xobject"])
    }

    @Test func shadowReplaceFontReference() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.shadowReplaceFont(), .disallowedModification,
                                                mentioning: "/Terms /Resources")
        #expect(disallowedKinds(report) == ["resources"])
    }

    @Test func shadowHideAndReplacePageContents() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.shadowHideAndReplace(), .disallowedModification,
                                                mentioning: "page 1: /Contents changed")
        #expect(disallowedKinds(report) == ["page-content"])
    }

    /// A reference swapped to a *new* object with identical content is a rewrite, not a change.
    @Test func identicalRewriteIsNotAChange() throws {
        let prepared = try ShadowPreparation.make()
        let bytes = try prepared.attack { update in
            let copy = update.add(try prepared.document.object(prepared.termsResources))
            var page = try prepared.document.object(prepared.page).dictionaryValue ?? [:]
            var resources = page["Resources"]?.dictionaryValue ?? [:]
            var xobjects = resources["XObject"]?.dictionaryValue ?? [:]
            var terms = try #require(try prepared.document.object(prepared.terms).streamValue)
            terms.dictionary["Resources"] = .reference(copy)
            xobjects["Terms"] = .reference(update.add(.stream(terms)))
            resources["XObject"] = .dictionary(xobjects)
            page["Resources"] = .dictionary(resources)
            update.set(prepared.page, .dictionary(page))
        }
        let report = AttackSupport.fixtures.trusted.verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)")
    }

    /// The same swap to an object whose content differs is caught.
    @Test func swapToDifferentContentIsAChange() throws {
        let prepared = try ShadowPreparation.make()
        let bytes = try prepared.attack { update in
            var page = try prepared.document.object(prepared.page).dictionaryValue ?? [:]
            var resources = page["Resources"]?.dictionaryValue ?? [:]
            var xobjects = resources["XObject"]?.dictionaryValue ?? [:]
            var terms = try #require(try prepared.document.object(prepared.terms).streamValue)
            terms.encodedData = Array("BT /FA 12 Tf 72 560 Td (Payment terms: on receipt.) Tj ET".utf8)
            xobjects["Terms"] = .reference(update.add(.stream(terms)))
            resources["XObject"] = .dictionary(xobjects)
            page["Resources"] = .dictionary(resources)
            update.set(prepared.page, .dictionary(page))
        }
        let report = AttackSupport.expectFailed(bytes, .disallowedModification, mentioning: "page 1: /Resources changed")
        #expect(disallowedKinds(report).contains("resources"))
    }
}
