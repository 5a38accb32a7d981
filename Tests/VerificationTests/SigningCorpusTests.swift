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

    @Test(arguments: ["freeGeneration65536", "commentInFileTrailer", "xrefOffsetOnWhitespace", "xrefRowEndOfLine", "hybridUpdate"])
    func eachHarmlessClassIsSignedAndPasses(_ code: String) throws {
        let contract = fixtures.contract
        let input: [UInt8]
        switch code {
        case "freeGeneration65536": input = StructureSurgery.replaceFirst("0000000000 65535 f", with: "0000000000 65536 f", in: contract)
        case "commentInFileTrailer": input = StructureSurgery.insertBeforeLastStartxref("%iText-5.0.6\n", in: contract)
        case "xrefOffsetOnWhitespace": input = try shiftStartxref(contract, by: -1)
        case "hybridUpdate": input = try Self.acrobatHybridUpdate(of: contract)
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
        if code == "hybridUpdate" {
            #expect(report.notes.map(\.code).contains("xrefStreamOwnEntryIgnored"))
            #expect(report.signatures.last?.revision == 3 && report.signatures.last?.revisionCount == 3,
                    "the contract, the update, the signature")
        }
    }

    /// The contract saved again the way Acrobat saves an update: a new Info dictionary, a classic
    /// table for it with no `startxref … %%EOF` after it, an xref stream listing it (and itself
    /// at offset 0), then `xref 0 0` whose trailer's `/XRefStm` names the stream.
    static func acrobatHybridUpdate(of contract: [UInt8]) throws -> [UInt8] {
        let document = try PDFDocument(bytes: contract)
        let trailer = document.trailer
        let size = try #require(trailer["Size"]?.intValue)
        let root = String(decoding: ObjectSerializer.serialize(try #require(trailer["Root"])), as: UTF8.self)
        let identifier = trailer["ID"].map { " /ID " + String(decoding: ObjectSerializer.serialize($0), as: UTF8.self) } ?? ""
        var out = contract
        if out.last != 0x0A { out.append(0x0A) }
        let info = out.count
        out += Array("\(size) 0 obj\n<< /Producer (Adobe Acrobat Pro 2024) >>\nendobj\n".utf8)
        let table = out.count
        out += Array(("xref\n\(size) 1\n" + StructureSurgery.row(info)
                      + "trailer\n<< /Size \(size + 2) /Root \(root) /Info \(size) 0 R\(identifier) /Prev \(document.revisions.last!.xrefOffset) >>\n").utf8)
        let stream = out.count
        func row(_ offset: Int) -> [UInt8] {
            [1, UInt8(offset >> 24 & 0xFF), UInt8(offset >> 16 & 0xFF), UInt8(offset >> 8 & 0xFF), UInt8(offset & 0xFF), 0, 0]
        }
        let data = row(info) + row(0)
        out += Array("\(size + 1) 0 obj\n<< /Type /XRef /Size \(size + 2) /Index [\(size) 2] /W [1 4 2] /Root \(root) /Length \(data.count) >>\nstream\n".utf8)
        out += data + Array("\nendstream\nendobj\n".utf8)
        let hybrid = out.count
        out += Array(("xref\n0 0\ntrailer\n<< /Size \(size + 2) /Root \(root) /Info \(size) 0 R\(identifier) /Prev \(table) /XRefStm \(stream) >>\n"
                      + "startxref\n\(hybrid)\n%%EOF\n").utf8)
        return out
    }

    /// Refusals the corpus may still give, each for a documented reason (docs/robustness.md).
    /// An encrypted form whose permissions forbid a new field is refused for an invisible
    /// signature (its empty signature fields may be signed with `--field`).
    static let acceptedRefusals = ["DocMDP P=1", "a repairing read cannot get past", "do not allow creating a signature field"]

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
