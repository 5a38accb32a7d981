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

    /// Reads /DSS of every revision, newest first: /Certs, /OCSPs, /CRLs (streams). A later
    /// update may drop entries from the store, but what an earlier revision held was there and
    /// still counts (a dropped revoked status must not turn into a pass).
    func addStore(of document: PDFDocument) throws {
        var read: Set<String> = []
        for revision in stride(from: document.latestRevision, through: 0, by: -1) {
            let catalog: PDFDictionary
            do {
                catalog = try document.catalog(revision: revision)
            } catch {
                if revision == document.latestRevision { throw error }
                continue  // an older revision without a readable catalog holds no store
            }
            guard let dss = try document.resolve(catalog, "DSS", revision: revision)?.dictionaryValue else { continue }
            let place = revision == document.latestRevision ? "" : " (revision \(revision + 1))"
            for (key, kind) in [("Certs", 0), ("OCSPs", 1), ("CRLs", 2)] {
                guard let entries = try document.resolve(dss, PDFName(key), revision: revision)?.arrayValue else { continue }
                for (index, entry) in entries.enumerated() {
                    // An entry unchanged since a newer revision was read there.
                    if let reference = entry.referenceValue, let stored = document.entry(for: reference.number, revision: revision),
                       case .inUse = stored, !read.insert("\(reference.number) \(stored)").inserted {
                        continue
                    }
                    guard case .stream(let stream) = try document.resolve(entry, revision: revision) else {
                        note("DSS /\(key) entry \(index + 1)\(place) is not a stream")
                        continue
                    }
                    let bytes = try document.decodedData(of: stream, revision: revision)
                    add(bytes, kind: kind, origin: .dss, label: "DSS /\(key) entry \(index + 1)\(place)")
                }
            }
        }
    }

    private func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
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
            note("\(label) cannot be read: \(error)")
        }
    }
}
