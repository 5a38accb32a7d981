import CountersignCrypto
import Foundation
import PDFSyntax

/// Step 6 of DESIGN.md §7: a Countersign audit record (`audit.json`, schema
/// urn:countersign:audit:1, an associated file of the catalog) must hold together — every
/// event's hash chain recomputes, and the document hash it states is the SHA-256 of the file
/// before the revision that added the audit page.
///
/// This re-implements the record's canonical form from its documentation (docs/audit.md) on
/// purpose: the verifier shares no code with the signer.
struct AuditCheck {
    static let schema = "urn:countersign:audit:1"
    static let genesis = String(repeating: "0", count: 64)

    let document: PDFDocument

    /// The audit report, or nil when the document carries no Countersign audit record.
    func check() throws -> (report: AuditReport, sealFingerprint: String?)? {
        guard let (fileSpec, json) = try record() else { return nil }
        var report = AuditReport(envelopeId: json["envelopeId"] as? String, events: 0, chainIntact: false,
                                 documentHashMatches: false, revision: nil, issues: [])
        checkChain(json, into: &report)
        report.statedEvents = ((json["events"] as? [[String: Any]]) ?? []).map { event in
            func text(_ key: String) -> String { event[key] as? String ?? "" }
            return AuditReport.eventLine(type: text("type"), at: text("at"), actor: text("actor"), ip: text("ip"), userAgent: text("userAgent"))
        }
        report.statedSigners = ((json["signers"] as? [[String: Any]]) ?? []).map { signer in
            func text(_ key: String) -> String { signer[key] as? String ?? "" }
            return AuditReport.signerLine(name: text("name"), email: text("email"), role: text("role"), authentication: text("authentication"))
        }
        checkDocumentHash(json, fileSpec: fileSpec, into: &report)
        checkSentDocument(json, into: &report)
        let seal = (json["seal"] as? [String: Any])?["certificateSHA256"] as? String
        return (report, seal)
    }

    /// The embedded `audit.json` with our schema, and the number of the object that attaches it.
    private func record() throws -> (Int, [String: Any])? {
        let catalog = try document.catalog()
        guard case .array(let associated)? = try document.resolve(catalog, "AF") else { return nil }
        for item in associated {
            guard case .dictionary(let fileSpec) = try document.resolve(item) else { continue }
            let name = (try document.resolve(fileSpec, "UF") ?? document.resolve(fileSpec, "F"))?.stringValue?.text
            guard name == "audit.json",
                  case .dictionary(let files)? = try document.resolve(fileSpec, "EF"),
                  let streamObject = files["F"] ?? files["UF"],
                  case .stream(let stream) = try document.resolve(streamObject) else { continue }
            let data = try document.decodedData(of: stream)
            guard let json = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
                  json["schema"] as? String == Self.schema else { continue }
            guard let number = item.referenceValue?.number ?? streamObject.referenceValue?.number else { continue }
            return (number, json)
        }
        return nil
    }

    private func checkChain(_ json: [String: Any], into report: inout AuditReport) {
        guard let events = json["events"] as? [[String: Any]], !events.isEmpty else {
            report.issues.append(VerificationIssue(.auditMismatch, "the audit record lists no events"))
            return
        }
        report.events = events.count
        var previous = Self.genesis
        for (index, event) in events.enumerated() {
            func text(_ key: String) -> String? { event[key] as? String }
            guard let sequence = event["sequence"] as? Int, let at = text("at"), let actor = text("actor"),
                  let type = text("type"), let stated = text("hash"), let statedPrevious = text("previousHash") else {
                report.issues.append(VerificationIssue(.auditMismatch, "audit event \(index + 1) lacks a field of the chained form"))
                return
            }
            guard sequence == index + 1, statedPrevious == previous else {
                report.issues.append(VerificationIssue(.auditMismatch,
                    "audit event \(index + 1) does not follow the one before it (sequence \(sequence), previousHash \(statedPrevious.prefix(12))…): the event log was reordered, cut or edited"))
                return
            }
            let canonical = [String(sequence), at, actor, type, text("ip") ?? "", text("userAgent") ?? "", previous]
                .joined(separator: "\n")
            let hash = DigestAlgorithm.sha256.hash(Array(canonical.utf8)).hexString
            guard hash == stated else {
                report.issues.append(VerificationIssue(.auditMismatch,
                    "audit event \(index + 1) (\(type) by \(actor)) does not hash to its stated hash: it was edited after it was recorded"))
                return
            }
            previous = hash
        }
        report.chainIntact = true
    }

    /// `document.asSent`, when stated: the file's first `bytes` bytes hash to `sha256`.
    private func checkSentDocument(_ json: [String: Any], into report: inout AuditReport) {
        guard let sent = (json["document"] as? [String: Any])?["asSent"] else { return }
        guard let sent = sent as? [String: Any], let stated = sent["sha256"] as? String, let length = sent["bytes"] as? Int else {
            report.sentDocumentMatches = false
            report.issues.append(VerificationIssue(.auditMismatch, "the audit record's document.asSent lacks its sha256 or bytes"))
            return
        }
        let actual = length > 0 && length <= document.bytes.count ? sha256(ofFirst: length) : nil
        report.sentDocumentMatches = actual == stated.lowercased()
        if report.sentDocumentMatches == false {
            report.issues.append(VerificationIssue(.auditMismatch,
                "the audit record says the file begins with the document as sent (\(length) bytes, SHA-256 \(stated.prefix(16))…), and it does not"))
        }
    }

    /// The SHA-256 (lowercase hex) of the file's first `count` bytes.
    private func sha256(ofFirst count: Int) -> String {
        document.bytes.withUnsafeBytes { DigestAlgorithm.sha256.hash(UnsafeRawBufferPointer(rebasing: $0[..<count])).hexString }
    }

    private func checkDocumentHash(_ json: [String: Any], fileSpec: Int, into report: inout AuditReport) {
        guard let stated = (json["document"] as? [String: Any])?["sha256"] as? String else {
            report.issues.append(VerificationIssue(.auditMismatch, "the audit record states no document.sha256"))
            return
        }
        guard let added = document.revisions.first(where: { document.entry(for: fileSpec, revision: $0.index)?.isInUse == true })?.index,
              added > 0 else {
            report.issues.append(VerificationIssue(.auditMismatch,
                "the audit record is part of the original document, so no earlier revision exists for its document hash"))
            return
        }
        report.revision = added + 1
        let end = document.revisions[added - 1].endOffset
        let actual = sha256(ofFirst: end)
        if actual == stated.lowercased() {
            report.documentHashMatches = true
        } else {
            report.issues.append(VerificationIssue(.auditMismatch,
                "the audit record states document SHA-256 \(stated.prefix(16))… but revisions 1–\(added) hash to \(actual.prefix(16))…: the document before the audit page is not the one the record describes"))
        }
        if let pages = (json["document"] as? [String: Any])?["pages"] as? Int,
           let actualPages = try? document.pages(revision: added - 1).count, pages != actualPages {
            report.issues.append(VerificationIssue(.auditMismatch,
                "the audit record states \(pages) page(s) before the audit page, but revision \(added) has \(actualPages)"))
        }
    }
}
