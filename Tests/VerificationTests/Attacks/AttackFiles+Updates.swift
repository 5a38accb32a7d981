import Foundation
import CountersignCrypto
import Signing
import PDFSyntax

/// Attacks by incremental update after the signature: ISA (incremental saving attacks, Mladenov
/// et al., CCS 2019), shadow attacks (Mainka, Mladenov, Rohlmann, NDSS 2021) and edits of a
/// sealed document's audit record.
extension AttackFiles {
    /// The page content the attacker wants shown.
    static let forged = "BT /F1 24 Tf 72 700 Td (PAID IN FULL - NOTHING OWED) Tj ET"

    private static func victimWithContent() throws -> (bytes: [UInt8], document: PDFDocument, content: PDFReference) {
        let bytes = try victim()
        let document = try PDFDocument(bytes: bytes)
        return (bytes, document, try DocumentEdits.contentStream(of: document))
    }

    /// Raw object bytes that make page 1 show the forged text: its content stream redefined, and
    /// the page redefined with `/Contents` naming it and a Helvetica `/F1` (so readers render it).
    private static func forgedObjects(_ document: PDFDocument, content: PDFReference) throws -> [UInt8] {
        let page = try document.pages()[0]
        var dictionary = page.dictionary
        dictionary["Contents"] = .reference(content)
        var resources = page.resources ?? [:]
        var fonts = try document.resolve(resources["Font"] ?? .null).dictionaryValue ?? [:]
        fonts["F1"] = .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"), "BaseFont": .name("Helvetica")])
        resources["Font"] = .dictionary(fonts)
        dictionary["Resources"] = .dictionary(resources)
        return ObjectSerializer.serializeIndirect(content, DocumentEdits.stream(forged))
            + ObjectSerializer.serializeIndirect(page.reference, .dictionary(dictionary))
    }

    // MARK: ISA

    /// A well-formed update redefines page 1's content stream. The signature still verifies over
    /// its revision; only modification analysis sees the change.
    static func isaUpdateChangesPageContent() throws -> [UInt8] {
        let (_, document, content) = try victimWithContent()
        var update = IncrementalUpdate(document: document)
        update.set(content, DocumentEdits.stream(forged))
        return update.write().bytes
    }

    /// The appended update's `startxref` points into garbage: a repairing reader rebuilds the xref
    /// by scanning and shows the new object.
    static func isaUpdateWithBrokenXref() throws -> [UInt8] {
        var (bytes, document, content) = try victimWithContent()
        guard let root = document.trailer["Root"]?.referenceValue, let size = document.trailer["Size"]?.intValue else {
            throw PDFError(.badXref, "no /Root or /Size")
        }
        let objectOffset = bytes.count
        bytes += try forgedObjects(document, content: content)
        bytes += Array("xref\n0 1\nthis is not a cross-reference table\ntrailer\n<< /Size \(size) /Root \(root.number) \(root.generation) R >>\nstartxref\n\(objectOffset + 3)\n%%EOF\n".utf8)
        return bytes
    }

    /// Objects appended with no xref section and no trailer at all, just `%%EOF`: the last
    /// `startxref` is the old one, so only a repairing reader sees the new object.
    static func isaUpdateWithoutXrefOrTrailer() throws -> [UInt8] {
        var (bytes, document, content) = try victimWithContent()
        bytes += try forgedObjects(document, content: content) + Array("%%EOF\n".utf8)
        return bytes
    }

    /// A syntactically valid update whose xref section is empty: the redefined content stream is
    /// in the file but listed nowhere.
    static func isaUpdateWithEmptyXref() throws -> [UInt8] {
        var (bytes, document, content) = try victimWithContent()
        let previous = document.revisions.last!.xrefOffset
        bytes += try forgedObjects(document, content: content)
        let xref = bytes.count
        guard let root = document.trailer["Root"]?.referenceValue, let size = document.trailer["Size"]?.intValue else {
            throw PDFError(.badXref, "no /Root or /Size")
        }
        bytes += Array("xref\n0 0\ntrailer\n<< /Size \(size) /Root \(root.number) \(root.generation) R /Prev \(previous) >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return bytes
    }

    /// An update defines the content stream again under generation 1 without freeing generation
    /// 0: readers disagree on which one the page's `n 0 R` means.
    static func isaUpdateRedefinesUnderANewGeneration() throws -> [UInt8] {
        let (_, document, content) = try victimWithContent()
        var update = IncrementalUpdate(document: document)
        update.set(PDFReference(content.number, content.generation + 1), DocumentEdits.stream(forged))
        return update.write().bytes
    }

    // MARK: Shadow attacks

    /// Hide: the overlay's optional content group switched ON; the white page covers the contract.
    static func shadowHide() throws -> [UInt8] {
        let prepared = try ShadowPreparation.make()
        return try prepared.attack { update in
            update.set(prepared.ocgConfiguration, .dictionary(["Order": [.reference(prepared.ocg)], "ON": [.reference(prepared.ocg)]]))
        }
    }

    /// Replace: the visible terms XObject gets new content under the same object number.
    static func shadowReplaceContent() throws -> [UInt8] {
        let prepared = try ShadowPreparation.make()
        return try prepared.attack { update in
            update.set(prepared.terms, DocumentEdits.stream("BT /FA 12 Tf 72 560 Td (Payment terms: 3 days.) Tj ET", [
                "Type": .name("XObject"), "Subtype": .name("Form"), "BBox": [0, 0, 612, 792],
                "Resources": .reference(prepared.termsResources),
            ]))
        }
    }

    /// Replace: the terms' font resource swapped to the unused font prepared before signing.
    static func shadowReplaceFont() throws -> [UInt8] {
        let prepared = try ShadowPreparation.make()
        return try prepared.attack { update in
            update.set(prepared.termsResources, .dictionary(["Font": .dictionary(["FA": .reference(prepared.unusedFont)])]))
        }
    }

    /// Hide-and-replace: the page's `/Contents` now names the alternative content stream that was
    /// in the signed revision, unused.
    static func shadowHideAndReplace() throws -> [UInt8] {
        let prepared = try ShadowPreparation.make()
        return try prepared.attack { update in
            var page = try prepared.document.object(prepared.page).dictionaryValue ?? [:]
            page["Contents"] = .reference(prepared.unusedContent)
            update.set(prepared.page, .dictionary(page))
        }
    }

    // MARK: Audit record

    /// A document sealed with an audit page and record.
    static func sealed() throws -> [UInt8] {
        try fixtures.sign(fixtures.contract, .invisible(fieldName: "seal"), signer: "Countersign Seal",
                          audit: try fixtures.auditTrail())
    }

    /// After sealing, an update swaps audit.json for one with an edited event (another IP).
    static func auditEditedAttachment() throws -> [UInt8] {
        let document = try PDFDocument(bytes: try sealed())
        guard let associated = try document.resolve(document.catalog(), "AF")?.arrayValue,
              let fileSpec = try document.resolve(associated[0]).dictionaryValue,
              let reference = fileSpec["EF"]?.dictionaryValue?["F"]?.referenceValue,
              let stream = try document.object(reference).streamValue,
              var json = try JSONSerialization.jsonObject(with: Data(document.decodedData(of: stream))) as? [String: Any],
              var events = json["events"] as? [[String: Any]] else { throw PDFError(.badStream, "no audit.json") }
        events[3]["ip"] = "192.0.2.1"
        json["events"] = events
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        var update = IncrementalUpdate(document: document)
        update.set(reference, .stream(PDFStream(dictionary: ["Type": .name("EmbeddedFile"), "Subtype": .name("application/json")],
                                                encodedData: [UInt8](data))))
        return update.write().bytes
    }

    /// After sealing, an update rewrites the Certificate of Completion page's content.
    static func auditEditedPage() throws -> [UInt8] {
        let document = try PDFDocument(bytes: try sealed())
        guard let content = try document.pages().last?.dictionary["Contents"]?.referenceValue else {
            throw PDFError(.badPageTree, "no audit page content")
        }
        var update = IncrementalUpdate(document: document)
        update.set(content, DocumentEdits.stream("BT /F1 12 Tf 72 700 Td (Signed by someone else) Tj ET"))
        return update.write().bytes
    }

    /// The document under the audit page edited in place (its title) and the seal re-made with
    /// the sealing key: every signature check passes, but the record's document hash does not.
    static func auditResealedAfterEdit() throws -> [UInt8] {
        try titleEditedAndResealed(try sealed())
    }

    /// The contract's title edited in a sealed file, and the seal's CMS made again over the result.
    static func titleEditedAndResealed(_ sealed: [UInt8]) throws -> [UInt8] {
        var bytes = sealed
        guard let title = ByteSurgery.find("Verification test contract", in: bytes) else { throw PDFError(.syntax, "no title") }
        ByteSurgery.overwrite(&bytes, at: title, with: "Verification test CONTRACT")
        let layout = SignatureLayout(bytes)
        try ByteSurgery.resign(&bytes, ranges: layout.byteRange, contents: layout.contentsStart..<layout.contentsEnd,
                               identity: try fixtures.identity(name: "Countersign Seal"))
        return bytes
    }

    /// Sealed with the record stating the contract (all its bytes) as the document as sent; with
    /// `edited`, a byte of the contract's title is then changed and the seal's CMS made again,
    /// so the signature is sound but the file no longer begins with the document as sent.
    static func sealedStatingTheSentDocument(edited: Bool) throws -> [UInt8] {
        var trail = try fixtures.auditTrail()
        trail.documentAsSent = AuditTrail.SentDocument(sha256: DigestAlgorithm.sha256.hash(fixtures.contract).hexString,
                                                       bytes: fixtures.contract.count)
        let bytes = try fixtures.sign(fixtures.contract, .invisible(fieldName: "seal"), signer: "Countersign Seal", audit: trail)
        return edited ? try titleEditedAndResealed(bytes) : bytes
    }
}
