import CountersignCrypto
import Foundation
import PDFSyntax

/// Writes a Document Security Store (ISO 32000-2 §12.8.4.3) into an incremental update:
/// `/Certs`, `/OCSPs` and `/CRLs` arrays of streams holding the DER, merged with the document's
/// existing store (entries already there are referenced again, never duplicated), and `/VRI`
/// entries only when asked — keyed by the upper-case hex SHA-1 of each signature's padded
/// `/Contents` — since EN 319 142-1 deprecates them.
struct SecurityStoreUpdate {
    /// One /VRI entry: the signature it is for and the data of its chain.
    struct VRIEntry {
        var paddedContents: [UInt8]
        var data: ValidationDataCollector.ChainData
    }

    let document: PDFDocument

    /// Builds the update. `time`, when given, goes in each /VRI entry's `/TU`.
    func update(adding collected: ValidationDataCollector.Collected, vri: [VRIEntry], time: Date?) throws -> IncrementalUpdate {
        var update = IncrementalUpdate(document: document)
        guard let catalogReference = document.catalogReference() else {
            throw PDFError(.badPageTree, "the trailer's /Root is not an indirect reference")
        }
        var catalog = try document.catalog()
        let existingReference = catalog["DSS"]?.referenceValue
        var store = try document.resolve(catalog, "DSS")?.dictionaryValue ?? [:]
        store["Type"] = store["Type"] ?? .name("DSS")

        // What the store already holds, by DER, so that nothing is written twice.
        var known: [[UInt8]: PDFReference] = [:]
        var arrays: [PDFName: [PDFObject]] = [:]
        for key in ["Certs", "OCSPs", "CRLs"] as [PDFName] {
            let entries = try document.resolve(store, key)?.arrayValue ?? []
            arrays[key] = entries
            for entry in entries {
                guard let reference = entry.referenceValue, case .stream(let stream) = try document.object(reference) else { continue }
                known[try document.decodedData(of: stream)] = reference
            }
        }
        func reference(_ der: [UInt8], in key: PDFName) throws -> PDFReference {
            if let reference = known[der] { return reference }
            let reference = update.add(.stream(PDFStream(dictionary: ["Filter": .name("FlateDecode")],
                                                         encodedData: try Flate.encode(der))))
            known[der] = reference
            arrays[key, default: []].append(.reference(reference))
            return reference
        }
        for certificate in collected.certificates { _ = try reference(certificate.derEncoded, in: "Certs") }
        for response in collected.ocspResponses { _ = try reference(response.der, in: "OCSPs") }
        for crl in collected.crls { _ = try reference(crl.der, in: "CRLs") }
        for key in ["Certs", "OCSPs", "CRLs"] as [PDFName] {
            if let entries = arrays[key], !entries.isEmpty { store[key] = .array(entries) }
        }

        if !vri.isEmpty {
            var entries = try document.resolve(store, "VRI")?.dictionaryValue ?? [:]
            for item in vri {
                var entry: PDFDictionary = [:]
                let lists: [(PDFName, [PDFObject])] = [
                    ("Cert", try item.data.certificates.map { .reference(try reference($0.derEncoded, in: "Certs")) }),
                    ("OCSP", try item.data.ocspResponses.map { .reference(try reference($0.der, in: "OCSPs")) }),
                    ("CRL", try item.data.crls.map { .reference(try reference($0.der, in: "CRLs")) }),
                ]
                for (key, list) in lists where !list.isEmpty {
                    // Each item once: the signer's and the timestamp authority's chains share a CA.
                    var seen: Set<PDFObject> = []
                    entry[key] = .array(list.filter { seen.insert($0).inserted })
                }
                if let time { entry["TU"] = .string(PDFString(text: PDFDateFormat.string(time))) }
                entries[PDFName(Self.vriKey(item.paddedContents))] = .dictionary(entry)
            }
            store["VRI"] = .dictionary(entries)
            for key in ["Certs", "OCSPs", "CRLs"] as [PDFName] {
                if let entries = arrays[key], !entries.isEmpty { store[key] = .array(entries) }
            }
        }

        if let existingReference {
            update.set(existingReference, .dictionary(store))
        } else {
            catalog["DSS"] = .reference(update.add(.dictionary(store)))
            update.set(catalogReference, .dictionary(catalog))
        }
        return update
    }

    /// The /VRI key of a signature: the upper-case hex SHA-1 of its padded `/Contents` bytes.
    static func vriKey(_ paddedContents: [UInt8]) -> String {
        HashAlgorithm.sha1.hash(paddedContents).hexString.uppercased()
    }
}
