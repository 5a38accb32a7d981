import CountersignCrypto
import Foundation
import PDFSyntax

/// The validation data one document offers: the certificates, OCSP responses and CRLs of its
/// Document Security Store (ISO 32000-2 §12.8.4.3, EN 319 142-1 B-LT) and of its signatures'
/// `adbe-revocationInfoArchival` attributes, plus whatever was fetched online during this run.
/// Items that do not parse are left out and noted.
final class ValidationData {
    struct Item<Value> {
        var value: Value
        var origin: CertificateRevocation.Origin
    }

    private(set) var certificates: [Certificate] = []
    private(set) var ocspResponses: [Item<OCSPResponse>] = []
    private(set) var crls: [Item<CertificateRevocationList>] = []
    /// Problems reading the data (an entry that is not a certificate, CRL or OCSP response).
    private(set) var notes: [String] = []
    private var seen: Set<DERBytes> = []

    /// Reads /DSS of the newest revision: /Certs, /OCSPs, /CRLs (streams).
    func addStore(of document: PDFDocument) throws {
        guard let dss = try document.resolve(try document.catalog(), "DSS")?.dictionaryValue else { return }
        for (key, kind) in [("Certs", 0), ("OCSPs", 1), ("CRLs", 2)] {
            guard let entries = try document.resolve(dss, PDFName(key))?.arrayValue else { continue }
            for (index, entry) in entries.enumerated() {
                guard case .stream(let stream) = try document.resolve(entry) else {
                    notes.append("DSS /\(key) entry \(index + 1) is not a stream")
                    continue
                }
                let bytes = try document.decodedData(of: stream)
                add(bytes, kind: kind, origin: .dss, label: "DSS /\(key) entry \(index + 1)")
            }
        }
    }

    /// Adds a signature's embedded certificates and archived revocation data.
    func addSignature(cms: CMSSignedData) {
        for certificate in cms.certificates where seen.insert(DERBytes(certificate.derEncoded)).inserted {
            certificates.append(certificate)
        }
        do {
            let archival = try RevocationArchival(cms: cms.der)
            for crl in archival.crls { add(crl, kind: 2, origin: .cms, label: "an archived CRL") }
            for response in archival.ocspResponses { add(response, kind: 1, origin: .cms, label: "an archived OCSP response") }
        } catch {
            notes.append("the adbe-revocationInfoArchival attribute cannot be read: \(error)")
        }
    }

    func add(_ response: OCSPResponse, origin: CertificateRevocation.Origin) {
        guard seen.insert(DERBytes(response.der)).inserted else { return }
        ocspResponses.append(Item(value: response, origin: origin))
        for certificate in response.certificates where seen.insert(DERBytes(certificate.derEncoded)).inserted {
            certificates.append(certificate)
        }
    }

    func add(_ crl: CertificateRevocationList, origin: CertificateRevocation.Origin) {
        guard seen.insert(DERBytes(crl.der)).inserted else { return }
        crls.append(Item(value: crl, origin: origin))
    }

    /// kind: 0 certificate, 1 OCSP response, 2 CRL.
    private func add(_ bytes: [UInt8], kind: Int, origin: CertificateRevocation.Origin, label: String) {
        guard !seen.contains(DERBytes(bytes)) else { return }
        do {
            switch kind {
            case 0:
                let certificate = try Certificate(derEncoded: bytes)
                seen.insert(DERBytes(bytes))
                certificates.append(certificate)
            case 1: add(try OCSPResponse(der: bytes), origin: origin)
            default: add(try CertificateRevocationList(der: bytes), origin: origin)
            }
        } catch {
            notes.append("\(label) cannot be read: \(error)")
        }
    }
}
