import CountersignCrypto
import Foundation
import Testing
import TestSupport
import Verification

/// Incremental updates that change what a viewer shows through a path the modification
/// analysis did not follow (Fixtures/attacks/README.md): an object stream redefined under its
/// members, resources named like the keys the walk skips (`/P`, `/Data`), parents that only a
/// `/Parent` link reaches. Each signed original has nothing disallowed after it; each attack
/// has a disallowed change, and the signature fails.
@Suite struct IncrementalAttackTests {
    static let folder = TestEnvironment.fixtures.appendingPathComponent("attacks")

    static let attacks: [(signed: String, attack: String, mentions: String)] = [
        ("os-signed", "os-redefine-stream", "font"),
        ("os-signed", "os-redefine-classic", "font"),
        ("rn-signed", "rn-xobject-P", "/XObject /P"),
        ("rn-signed", "rn-font-Data", "/Font /Data"),
        ("wp-no-changes-signed", "wp-no-changes", "/Parent"),
        ("wp-no-changes-signed", "wp-plain", "/Parent"),
        ("parent-signed", "parent-hide", "/Parent"),
        ("parent2-signed", "parent2-replace", "/Parent"),
    ]

    private func report(_ name: String) throws -> VerificationReport {
        PDFVerifier(trustAnchors: []).verify(bytes: Array(try Data(contentsOf: Self.folder.appendingPathComponent(name + ".pdf"))))
    }

    @Test(arguments: attacks.map(\.signed).uniqued())
    func theSignedOriginalHasNothingDisallowed(_ name: String) throws {
        let signature = try #require(try report(name).signatures.first)
        #expect(signature.modifications.allSatisfy { $0.allowed }, "\(signature.modifications)")
        #expect(signature.issues.allSatisfy { $0.verdict != .failed }, "\(signature.issues)")
    }

    @Test(arguments: attacks.map { "\($0.attack)|\($0.mentions)" })
    func theAttackIsADisallowedChange(_ item: String) throws {
        let parts = item.split(separator: "|").map(String.init)
        let result = try report(parts[0])
        #expect(result.verdict == .failed, "\(result.text)")
        let disallowed = try #require(result.signatures.first).modifications.filter { !$0.allowed }
        #expect(!disallowed.isEmpty, "\(result.text)")
        #expect(disallowed.contains { $0.description.contains(parts[1]) || $0.kind.contains(parts[1]) }, "\(disallowed)")
    }
}

/// An OCSP response whose nextUpdate comes before its thisUpdate is malformed: rejected, with
/// the reason, never a good status.
@Test func anOCSPResponseEndingBeforeItBeginsIsRejected() throws {
    let folder = IncrementalAttackTests.folder
    let bytes = Array(try Data(contentsOf: folder.appendingPathComponent("ocsp-next-before-this.pdf")))
    let root = try Certificate.load(pem: try Data(contentsOf: folder.appendingPathComponent("ocsp-next-before-this-root.pem")))
    // At the time it was made (its certificates are short-lived).
    let made = Date(timeIntervalSince1970: 1_796_650_000)
    let report = PDFVerifier(trustAnchors: root, revocation: RevocationOptions(online: false, validationTime: made)).verify(bytes: bytes)
    let statuses = report.signatures.flatMap { $0.revocation?.certificates ?? [] }
    #expect(!statuses.isEmpty, "\(report.text)")
    #expect(!statuses.contains { $0.status == .good && $0.source == "ocsp" }, "\(report.text)")
    #expect(report.text.contains("its nextUpdate") && report.text.contains("is before its thisUpdate"), "\(report.text)")
}

/// Thousands of changes after each of thousands of signatures (a fuzz trial's 3 000 copied
/// signature fields) once made the text report their product: 233 MB, then an allocation
/// failure. The text lists a bounded number per signature and says how many more there are.
@Test func theTextReportListsABoundedNumberOfChangesPerSignature() throws {
    let bytes = Array(try Data(contentsOf: IncrementalAttackTests.folder.appendingPathComponent("rn-signed.pdf")))
    var report = PDFVerifier(trustAnchors: []).verify(bytes: bytes)
    report.signatures[0].modifications = (0..<400).map {
        Modification(revision: 3, object: "\($0 + 10) 0", kind: $0 % 2 == 0 ? "signature" : "page", allowed: $0 % 2 == 0,
                     description: "change \($0)")
    }
    let lines = report.text.split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("    ✓") }.count == SignatureReport.listedChanges)
    #expect(lines.filter { $0.hasPrefix("    ✗") }.count == SignatureReport.listedChanges)
    #expect(lines.contains { $0.contains("… and 175 more allowed change(s)") } && lines.contains { $0.contains("… and 175 more disallowed change(s)") })
}

private extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
