import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing
import Verification

/// The in-process, deterministic part of `scripts/corpus` (docs/robustness.md): every harmless
/// class of structure, made from our contract, is signed with an incremental update and verifies
/// PASSED with its note; and when the script has fetched its corpus (`.build-corpus/`), every PDF
/// it found `qpdf --check` clean is signed invisibly and our signature verifies PASSED — or the
/// refusal is one of the documented reasons.
@Suite struct SigningCorpusTests {
    let fixtures = VerificationFixtures.shared

    /// A file's last `startxref` value moved by `shift` (the digits' count must stay the same).
    private func shiftStartxref(_ bytes: [UInt8], by shift: Int) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        let offset = document.revisions.last!.xrefOffset
        return StructureSurgery.replaceFirst("startxref\n\(offset)\n", with: "startxref\n\(offset + shift)\n", in: bytes)
    }

    @Test(arguments: ["freeGeneration65536", "commentInFileTrailer", "xrefOffsetOnWhitespace", "xrefRowEndOfLine"])
    func eachHarmlessClassIsSignedAndPasses(_ code: String) throws {
        let contract = fixtures.contract
        let input: [UInt8]
        switch code {
        case "freeGeneration65536": input = StructureSurgery.replaceFirst("0000000000 65535 f", with: "0000000000 65536 f", in: contract)
        case "commentInFileTrailer": input = StructureSurgery.insertBeforeLastStartxref("%iText-5.0.6\n", in: contract)
        case "xrefOffsetOnWhitespace": input = try shiftStartxref(contract, by: -1)
        default: input = StructureSurgery.replaceFirst("0000000000 65535 f\r\n", with: "0000000000 65535 f\r\r", in: contract)
        }
        let signer = try PDFSigner(identity: try fixtures.identity())
        let signed = try signer.sign(PDFBytes(input), request: SignatureRequest(placement: .invisible(fieldName: "Corpus"),
                                                                               signingTime: fixtures.time))
        #expect(signed.notices.isEmpty)
        #expect(signed.original.array == input, "signed with an incremental update")
        let report = fixtures.trusted.verify(bytes: signed.original.array + signed.appended)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.notes.map(\.code).contains(code))
    }

    /// Refusals the corpus may still give, each for a documented reason (docs/robustness.md).
    static let acceptedRefusals = ["DocMDP P=1", "a repairing read cannot get past"]

    @Test func theFetchedCorpusSignsAndVerifies() throws {
        let results = TestEnvironment.root.appendingPathComponent(".build-corpus/results.tsv")
        guard let table = try? String(contentsOf: results, encoding: .utf8) else { return }  // run scripts/corpus first
        var accepted: [String] = []
        for line in table.split(separator: "\n") {
            let columns: [Substring] = line.split(separator: "\t", omittingEmptySubsequences: false)
            if columns.count >= 2, columns[0] != "qpdf-rejects-input" { accepted.append(String(columns[1])) }
        }
        let signer = try PDFSigner(identity: try fixtures.identity())
        var signedCount = 0
        for path in accepted {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let signed: PDFSigner.SignedFile
            do {
                signed = try signer.sign(PDFBytes([UInt8](data)), request: SignatureRequest(placement: .invisible(fieldName: "CorpusSignature"),
                                                                                             signingTime: fixtures.time))
            } catch {
                let reason = "\(error)"
                #expect(Self.acceptedRefusals.contains { reason.contains($0) }, "\(path): \(reason)")
                continue
            }
            signedCount += 1
            let report = fixtures.trusted.verify(bytes: signed.original.array + signed.appended)
            let ours = report.signatures.first { $0.field == "CorpusSignature" }
            #expect(ours?.verdict == .passed, "\(path): \(report.text)")
        }
        #expect(signedCount > 0)
    }
}
