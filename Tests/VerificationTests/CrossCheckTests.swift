import CountersignCrypto
import Foundation
import TestSupport
import Testing
import Verification

/// Every file of the suite judged by us, by pyHanko and by poppler, next to each other. Each
/// expected triple is the table in docs/verification.md; every disagreement is explained there.
@Suite(.enabled(if: OtherValidators.pyhankoAvailable, "pyHanko is not installed (set COUNTERSIGN_VENV or run scripts/test)"))
struct CrossCheckTests {
    enum Trust: Sendable { case ours, oursAndTSA, thirdParty, thirdPartyAndTSA }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var trust: Trust
        var build: @Sendable () throws -> [UInt8]
        /// Expected: our verdict, pyHanko's, poppler's integrity status.
        var ours: String
        var pyhanko: String
        var poppler: String
        var testDescription: String { name }
    }

    static func thirdParty(_ name: String) -> @Sendable () throws -> [UInt8] {
        {
            let recipe = ThirdPartySigning.recipes.first { $0.name == name }!
            let tsa = recipe.timestamped || recipe.documentTimestamp ? try VerificationFixtures.shared.tsa : nil
            return [UInt8](try Data(contentsOf: ThirdPartySigning.shared.sign(recipe, tsa: tsa)))
        }
    }

    static let fixtures = VerificationFixtures.shared

    static let cases: [Case] = [
        // Valid files signed by us.
        Case(name: "ours: single", trust: .ours, build: { try AttackFiles.victim() },
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "ours: three signatures", trust: .ours, build: {
            var bytes = fixtures.contract
            bytes = try fixtures.sign(bytes, .field("sig_customer"), signer: "Alice Customer", key: .rsa(2048))
            bytes = try fixtures.sign(bytes, .field("sig_company"), signer: "Bob Company", profile: .pkcs7, offset: 10)
            return try fixtures.sign(bytes, .rectangle(page: 1, x: 320, y: 80, width: 200, height: 50), offset: 20)
        }, ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "ours: form filled after signing", trust: .ours, build: {
            let form = try DocumentEdits.addTextField(fixtures.contract, name: "amount")
            let signed = try fixtures.sign(form, .field("sig_customer"))
            return try DocumentEdits.fill(signed, field: "amount", value: "2,000 EUR")
        }, ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "ours: certified (P=2), second signature", trust: .ours, build: {
            let certified = try fixtures.sign(fixtures.contract, .field("sig_company"), certification: .formFill)
            return try fixtures.sign(certified, .field("sig_customer"), offset: 30)
        }, ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "ours: sealed with audit page", trust: .ours, build: { try AttackFiles.sealed() },
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "ours: B-T timestamped", trust: .oursAndTSA,
             build: { try fixtures.sign(fixtures.contract, .field("sig_customer"), profile: .padesBT) },
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        // USF.
        Case(name: "USF: no /Contents", trust: .ours, build: AttackFiles.usfNoContents,
             ours: "FAILED", pyhanko: "error", poppler: "not-verified"),
        Case(name: "USF: empty /Contents", trust: .ours, build: AttackFiles.usfEmptyContents,
             ours: "FAILED", pyhanko: "error", poppler: "error"),
        Case(name: "USF: /Contents not CMS", trust: .ours, build: AttackFiles.usfContentsNotCMS,
             ours: "FAILED", pyhanko: "error", poppler: "error"),
        Case(name: "USF: no /ByteRange", trust: .ours, build: AttackFiles.usfNoByteRange,
             ours: "FAILED", pyhanko: "error", poppler: "not-verified"),
        Case(name: "USF: short /ByteRange", trust: .ours, build: AttackFiles.usfShortByteRange,
             ours: "FAILED", pyhanko: "error", poppler: "digest-mismatch"),
        Case(name: "USF: negative /ByteRange", trust: .ours, build: AttackFiles.usfNegativeByteRange,
             ours: "FAILED", pyhanko: "FAILED", poppler: "not-verified"),
        Case(name: "USF: /ByteRange past the end", trust: .ours, build: AttackFiles.usfByteRangeOutOfBounds,
             ours: "FAILED", pyhanko: "FAILED", poppler: "not-verified"),
        Case(name: "USF: /ByteRange not from 0", trust: .ours, build: AttackFiles.usfByteRangeNotFromZero,
             ours: "FAILED", pyhanko: "FAILED", poppler: "digest-mismatch"),
        // SWA.
        Case(name: "SWA: bytes hidden in the gap", trust: .oursAndTSA, build: AttackFiles.swaBytesHiddenInTheGap,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "SWA: second /Contents", trust: .oursAndTSA, build: AttackFiles.swaSecondContentsToken,
             ours: "FAILED", pyhanko: "error", poppler: "error"),
        Case(name: "SWA: shifted gap, re-signed", trust: .ours, build: AttackFiles.swaShiftedGapResigned,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        // ISA.
        Case(name: "ISA: update changes page content", trust: .ours, build: AttackFiles.isaUpdateChangesPageContent,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "ISA: update with broken xref", trust: .ours, build: AttackFiles.isaUpdateWithBrokenXref,
             ours: "FAILED", pyhanko: "error", poppler: "valid"),
        Case(name: "ISA: update without xref or trailer", trust: .ours, build: AttackFiles.isaUpdateWithoutXrefOrTrailer,
             ours: "FAILED", pyhanko: "error", poppler: "valid"),
        Case(name: "ISA: update with empty xref", trust: .ours, build: AttackFiles.isaUpdateWithEmptyXref,
             ours: "FAILED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "ISA: object redefined at generation 1", trust: .ours,
             build: AttackFiles.isaUpdateRedefinesUnderANewGeneration,
             ours: "FAILED", pyhanko: "error", poppler: "valid"),
        // Shadow attacks.
        Case(name: "shadow: hide (optional content)", trust: .ours, build: AttackFiles.shadowHide,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "shadow: replace (XObject content)", trust: .ours, build: AttackFiles.shadowReplaceContent,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "shadow: replace (font reference)", trust: .ours, build: AttackFiles.shadowReplaceFont,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "shadow: hide-and-replace (page /Contents)", trust: .ours, build: AttackFiles.shadowHideAndReplace,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        // Audit record.
        Case(name: "audit: attachment edited after sealing", trust: .ours, build: AttackFiles.auditEditedAttachment,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "audit: audit page edited after sealing", trust: .ours, build: AttackFiles.auditEditedPage,
             ours: "FAILED", pyhanko: "FAILED", poppler: "valid"),
        Case(name: "audit: re-sealed after editing the document", trust: .ours, build: AttackFiles.auditResealedAfterEdit,
             ours: "FAILED", pyhanko: "PASSED", poppler: "valid"),
        // Modification analysis: a layout pyHanko's appearance rule refuses (docs/verification.md).
        Case(name: "two signatures over a shared blank appearance", trust: .ours, build: {
            try ModificationAnalysisTests.sharedBlankAppearanceSignedTwice(fixtures).0
        }, ours: "PASSED", pyhanko: "FAILED", poppler: "valid"),
        // Signed by pyHanko.
        Case(name: "pyHanko: visible", trust: .thirdParty, build: thirdParty("visible"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: invisible", trust: .thirdParty, build: thirdParty("invisible"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: certified", trust: .thirdParty, build: thirdParty("certified"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: two signatures", trust: .thirdParty, build: thirdParty("two-signatures"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: ECDSA", trust: .thirdParty, build: thirdParty("ecdsa"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: adbe.pkcs7.detached", trust: .thirdParty, build: thirdParty("pkcs7"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: timestamped", trust: .thirdPartyAndTSA, build: thirdParty("timestamped"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: existing field", trust: .thirdParty, build: thirdParty("existing-field"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "valid"),
        Case(name: "pyHanko: document timestamp and DSS", trust: .thirdPartyAndTSA, build: thirdParty("document-timestamp"),
             ours: "PASSED", pyhanko: "PASSED", poppler: "not-verified"),
    ]

    private func anchors(_ trust: Trust) throws -> [URL] {
        switch trust {
        case .ours: [Self.fixtures.caFile]
        case .oursAndTSA: [Self.fixtures.caFile, try Self.fixtures.tsa.rootCertificate]
        case .thirdParty: [ThirdPartySigning.shared.root]
        case .thirdPartyAndTSA: [ThirdPartySigning.shared.root, try Self.fixtures.tsa.rootCertificate]
        }
    }

    @Test(arguments: cases)
    func threeValidatorsOnOneFile(_ testCase: Case) throws {
        let bytes = try testCase.build()
        let file = try Self.fixtures.write(bytes, "crosscheck.pdf")
        let trust = try anchors(testCase.trust)
        let certificates = try trust.flatMap { try Certificate.load(pem: Data(contentsOf: $0)) }
        let ours = PDFVerifier(trustAnchors: certificates).verify(bytes: bytes).verdict.rawValue
        let pyhanko = try OtherValidators.pyhanko(file, trust: trust)
        let poppler = OtherValidators.poppler(file)
        print("CROSSCHECK | \(testCase.name) | \(ours) | \(pyhanko) | \(poppler) |")
        #expect(ours == testCase.ours)
        #expect(pyhanko == testCase.pyhanko, "pyHanko on \(testCase.name)")
        #expect(poppler == testCase.poppler, "poppler on \(testCase.name)")
    }
}
