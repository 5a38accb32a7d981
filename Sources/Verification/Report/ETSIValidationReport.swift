import Foundation

extension VerificationReport {
    /// The ETSI TS 119 102-2 namespace of the XML validation report.
    public static let etsiNamespace = "http://uri.etsi.org/19102/v1.2.1#"

    /// This report as an ETSI TS 119 102-2 validation report (`verify --report etsi-xml`): one
    /// `SignatureValidationReport` per signature — its identifier, validation and best-signature
    /// times, signer, validation process and status (main indication and sub-indications as
    /// the standard's URNs) — and the certificates and document timestamps it rests on as
    /// `SignatureValidationObjects`, each document timestamp with the proof of existence it gives
    /// and its own status. Our own reasons travel as `AdditionalValidationReportData`.
    ///
    /// nil for a file with no signature: the schema's report holds at least one
    /// `SignatureValidationReport`, and there is nothing to put in one.
    public var etsiXML: String? {
        guard signatures.contains(where: { $0.kind == .signature }) else { return nil }
        var objects = ValidationObjects()
        var out = XMLText()
        out.open("ValidationReport", ["xmlns": Self.etsiNamespace, "xmlns:ds": "http://www.w3.org/2000/09/xmldsig#"])
        let archive = signatures.contains { $0.kind == .documentTimestamp }
        for (index, signature) in signatures.enumerated() where signature.kind == .signature {
            out.open("SignatureValidationReport")
            out.open("SignatureIdentifier", ["id": "S-\(index + 1)"])
            if let digest = signature.cmsSHA256 { out.digest(digest) }
            out.element("HashOnly", "false")
            out.element("DocHashOnly", "false")
            out.element("DAIdentifier", signature.field)
            out.close("SignatureIdentifier")
            out.open("ValidationTimeInfo")
            let validationTime = signature.revocation?.validationTime ?? Date()
            out.element("ValidationTime", ReportTime.iso(validationTime))
            // The schema requires it; with no earlier proof of existence it is the validation
            // time itself (EN 319 102-1's best-signature-time starts as the current time).
            out.open("BestSignatureTime")
            out.element("POETime", ReportTime.iso(signature.revocation?.bestSignatureTime ?? validationTime))
            out.element("TypeOfProof", "urn:etsi:019102:poetype:validation")
            out.close("BestSignatureTime")
            out.close("ValidationTimeInfo")
            if let time = signature.signingTime {
                out.open("SignatureAttributes")
                out.open("SigningTime", ["Signed": "true"])
                out.element("Time", ReportTime.iso(time))
                out.close("SigningTime")
                out.close("SignatureAttributes")
            }
            if let signer = signature.signer {
                out.open("SignerInformation")
                out.element("SignerCertificate", nil, ["VOReference": objects.certificate(signer.certificateSHA256, subject: signer.subject)])
                out.element("Signer", signer.subject)
                out.close("SignerInformation")
            }
            if let qualification = signature.qualification {
                // EU DSS's URNs for its signature qualification levels.
                out.open("SignatureQuality")
                out.element("SignatureQualityInformation", "urn:cef:dss:signatureQualification:" + qualification.level)
                out.close("SignatureQuality")
            }
            out.open("SignatureValidationProcess")
            out.element("SignatureValidationProcessID", "urn:etsi:019102:validationprocess:" + (archive ? "LTA" : "LTVM"))
            out.close("SignatureValidationProcess")
            out.status(signature.verdict, subIndications: Self.subIndications(signature), reasons: signature.reasons)
            out.close("SignatureValidationReport")
        }
        for signature in signatures where signature.kind == .documentTimestamp {
            objects.timestamp(signature)
        }
        for revocation in signatures.compactMap(\.revocation) {
            for certificate in revocation.certificates { _ = objects.certificate(certificate.certificateSHA256, subject: certificate.subject) }
        }
        if let trustedLists { objects.trustedLists = trustedLists }
        objects.write(into: &out)
        out.close("ValidationReport")
        return out.text
    }

    /// The ETSI sub-indications of a signature: its issues' and its revocation check's, once each.
    static func subIndications(_ signature: SignatureReport) -> [String] {
        var names: [String] = []
        for issue in signature.issues where issue.verdict == signature.verdict {
            if let name = issue.subIndication?.name, !names.contains(name) { names.append(name) }
        }
        if signature.verdict != .passed, let name = signature.revocation?.subIndication?.rawValue, !names.contains(name) {
            names.append(name)
        }
        return names
    }
}

/// The validation objects a report refers to, identified by certificate SHA-256 or timestamp
/// field, and the trusted lists (`--trust-list`) the trust anchors came from.
private struct ValidationObjects {
    private var certificates: [(id: String, sha256: String, subject: String)] = []
    private var timestamps: [(id: String, report: SignatureReport)] = []
    var trustedLists = TrustedListsReport(lists: [], refused: [], missing: [])

    mutating func certificate(_ sha256: String, subject: String) -> String {
        if let known = certificates.first(where: { $0.sha256 == sha256 }) { return known.id }
        let id = "C-\(sha256.prefix(16).uppercased())"
        certificates.append((id, sha256, subject))
        return id
    }

    mutating func timestamp(_ report: SignatureReport) {
        timestamps.append(("T-\(timestamps.count + 1)", report))
    }

    func write(into out: inout XMLText) {
        guard !certificates.isEmpty || !timestamps.isEmpty || !trustedLists.lists.isEmpty || !trustedLists.refused.isEmpty else { return }
        out.open("SignatureValidationObjects")
        for certificate in certificates {
            out.open("ValidationObject", ["id": certificate.id])
            out.element("ObjectType", "urn:etsi:019102:validationObject:certificate")
            out.open("ValidationObjectRepresentation")
            out.digest(certificate.sha256)
            out.close("ValidationObjectRepresentation")
            out.close("ValidationObject")
        }
        for (id, report) in timestamps {
            out.open("ValidationObject", ["id": id])
            out.element("ObjectType", "urn:etsi:019102:validationObject:timestamp")
            out.open("ValidationObjectRepresentation")
            if let digest = report.cmsSHA256 { out.digest(digest) } else { out.element("direct", report.field) }
            out.close("ValidationObjectRepresentation")
            if let time = report.timestamp?.genTime {
                out.open("POE")
                out.element("POETime", ReportTime.iso(time))
                out.element("TypeOfProof", "urn:etsi:019102:poetype:validation")
                out.close("POE")
            }
            out.open("ValidationReport")
            out.status(report.verdict, subIndications: VerificationReport.subIndications(report), reasons: report.reasons)
            out.close("ValidationReport")
            out.close("ValidationObject")
        }
        // TS 119 102-2 has no object type for a trusted list: "other", referenced by its file,
        // passed when its signature verified with a pinned key (and used), indeterminate when refused.
        let lists = trustedLists.lists.map { list in
            (list.source, Verdict.passed, "\(list.kind) \(list.territory)"
                + (list.sequenceNumber.map { " #\($0)" } ?? "") + ", signed by \(list.signer), \(list.services) services"
                + (list.expired ? ", past its NextUpdate (used, as EU DSS does)" : ""))
        } + trustedLists.refused.map { ($0.source, Verdict.indeterminate, "refused (\($0.code)): \($0.reason)") }
        for (index, (source, verdict, reason)) in lists.enumerated() {
            out.open("ValidationObject", ["id": "TL-\(index + 1)"])
            out.element("ObjectType", "urn:etsi:019102:validationObject:other")
            out.open("ValidationObjectRepresentation")
            out.element("URI", URL(fileURLWithPath: source).absoluteString)
            out.close("ValidationObjectRepresentation")
            out.open("ValidationReport")
            out.status(verdict, subIndications: [], reasons: ["trusted list: " + reason])
            out.close("ValidationReport")
            out.close("ValidationObject")
        }
        out.close("SignatureValidationObjects")
    }
}

/// Indented XML with escaping; elements in the ETSI namespace (the default), digests in ds:.
private struct XMLText {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        line("<\(name)\(Self.attributes(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func element(_ name: String, _ value: String?, _ attributes: KeyValuePairs<String, String> = [:]) {
        if let value {
            line("<\(name)\(Self.attributes(attributes))>\(Self.escape(value))</\(name)>")
        } else {
            line("<\(name)\(Self.attributes(attributes))/>")
        }
    }

    /// `DigestAlgAndValue` with SHA-256 given as lower-case hex.
    mutating func digest(_ sha256Hex: String) {
        var bytes: [UInt8] = []
        var index = sha256Hex.startIndex
        while let next = sha256Hex.index(index, offsetBy: 2, limitedBy: sha256Hex.endIndex), index < next {
            guard let byte = UInt8(sha256Hex[index..<next], radix: 16) else { break }
            bytes.append(byte)
            index = next
        }
        open("DigestAlgAndValue")
        element("ds:DigestMethod", nil, ["Algorithm": "http://www.w3.org/2001/04/xmlenc#sha256"])
        element("ds:DigestValue", Data(bytes).base64EncodedString())
        close("DigestAlgAndValue")
    }

    /// `SignatureValidationStatus` (or a validation object's status): main indication, sub-indications, our reasons.
    mutating func status(_ verdict: Verdict, subIndications: [String], reasons: [String], name: String = "SignatureValidationStatus") {
        open(name)
        element("MainIndication", "urn:etsi:019102:mainindication:" + verdict.indication.lowercased())
        for sub in subIndications { element("SubIndication", "urn:etsi:019102:subindication:" + sub) }
        for reason in reasons {
            open("AssociatedValidationReportData")
            open("AdditionalValidationReportData")
            open("ReportData")
            element("Type", "urn:countersign:verify:reason")
            element("Value", reason)
            close("ReportData")
            close("AdditionalValidationReportData")
            close("AssociatedValidationReportData")
        }
        close(name)
    }

    private mutating func line(_ content: String) {
        text += String(repeating: "  ", count: depth) + content + "\n"
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 cannot carry most control characters at all: replaced.
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
