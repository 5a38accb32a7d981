import CountersignCrypto
import Foundation
import PDFSyntax
import TestSupport
import Testing
import Verification

/// Signatures made by pyHanko (keys and certificates made by the openssl CLI): PASSED with the
/// right trust root, INDETERMINATE without it.
@Suite(.enabled(if: OtherValidators.pyhankoAvailable, "pyHanko is not installed (set COUNTERSIGN_VENV or run scripts/test)"))
struct ThirdPartyTests {
    @Test(arguments: ThirdPartySigning.recipes)
    func pyhankoSignaturesVerify(_ recipe: ThirdPartySigning.Recipe) throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        let tsa = recipe.timestamped || recipe.documentTimestamp ? try fixtures.tsa : nil
        let file = try material.sign(recipe, tsa: tsa)
        var anchors = try Certificate.load(pem: Data(contentsOf: material.root))
        if let tsa { anchors += try Certificate.load(pem: Data(contentsOf: tsa.rootCertificate)) }

        let report = try PDFVerifier(trustAnchors: anchors).verify(path: file.path)
        #expect(report.verdict == .passed, "\(report.text)")
        #expect(report.signatures.count == recipe.fields.count + (recipe.documentTimestamp ? 1 : 0))
        if recipe.documentTimestamp {
            let timestamp = try #require(report.signatures.last)
            #expect(timestamp.kind == .documentTimestamp)
            #expect(timestamp.subFilter == "ETSI.RFC3161")
            #expect(timestamp.timestamp?.trusted == true)
            #expect(report.signatures[0].modifications.allSatisfy { $0.allowed }, "\(report.text)")
        }
        for (signature, key) in zip(report.signatures, recipe.keys) {
            let names: [ThirdPartySigning.Key: String] = [.rsa: "Third Party RSA Signer", .ec: "Third Party EC Signer",
                                                         .ed25519: "Third Party Ed25519 Signer", .ed448: "Third Party Ed448 Signer"]
            #expect(signature.signer?.commonName == names[key])
            #expect(signature.subFilter == (recipe.pades ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached"))
        }
        if recipe.documentTimestamp {
            // pyHanko adds the TSA's validation data in a DSS after the timestamp.
            let after = report.signatures.last?.modifications ?? []
            #expect(after.contains { $0.kind == "dss" } && after.allSatisfy { $0.allowed && ["dss", "metadata"].contains($0.kind) },
                    "\(report.text)")
        } else {
            #expect(report.signatures.last?.coverage == "whole file")
        }
        if recipe.certify { #expect(report.signatures.first?.certificationLevel == 2) }
        if recipe.timestamped {
            let timestamp = try #require(report.signatures.first?.timestamp)
            #expect(timestamp.intact && timestamp.trusted)
        }
        if recipe.fields.count > 1 {
            #expect(report.signatures[0].modifications.allSatisfy { $0.allowed })
            #expect(report.signatures[0].modifications.contains { $0.kind == "signature" })
        }

        if recipe.documentTimestamp {
            // The signer's root alone: the document timestamp's TSA is not trusted.
            let signerRootOnly = try PDFVerifier(trustAnchors: Certificate.load(pem: Data(contentsOf: material.root)))
                .verify(path: file.path)
            #expect(signerRootOnly.verdict == .indeterminate)
        }
        let untrusted = try PDFVerifier(trustAnchors: []).verify(path: file.path)
        #expect(untrusted.verdict == .indeterminate, "\(untrusted.text)")
        #expect(untrusted.codes == [.untrusted])
        let ours = try fixtures.trusted.verify(path: file.path)
        #expect(ours.verdict == .indeterminate, "our CA does not vouch for theirs")
    }

    /// Signatures made by poppler 22's `pdfsig` (Okular's signing code). `-add-signature` on a
    /// file whose catalog holds `/AcroForm` directly (as LibreOffice writes it) puts the new
    /// signature widget on page 1 but not in `/Fields`. poppler, pdf.js and pdfium read such a
    /// widget as a field; we verify it with a note instead of saying the file has no signature.
    /// `-sign` fills existing fields and sets each widget's `/M`: both signatures pass. Our
    /// documents and signatures write the form as an object of its own, so poppler's signature
    /// after ours is a new field in the form, which ours allows (a widget added outside the form
    /// would not be: pyHanko agrees).
    @Test(.enabled(if: toolAvailable("pdfsig") && toolAvailable("certutil") && toolAvailable("pk12util"),
                   "poppler-utils or libnss3-tools is not installed (run scripts/test)"))
    func popplerSignaturesVerify() throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        let signed = material.directory.appendingPathComponent("poppler-signed.pdf")
        let direct = try fixtures.write(try Self.withDirectForm(fixtures.contract), "contract-direct-acroform.pdf")
        try material.signWithPoppler(direct, output: signed, field: "PopplerSig")
        let document = try PDFDocument(bytes: [UInt8](Data(contentsOf: signed)), mode: .strict)
        #expect(try document.formFields().allSatisfy { $0.name != "PopplerSig" }, "the premise: poppler left it out of /Fields")
        #expect(OtherValidators.poppler(signed) == "valid")

        let verifier = PDFVerifier(trustAnchors: try Certificate.load(pem: Data(contentsOf: material.root)))
        let report = try verifier.verify(path: signed.path)
        #expect(report.verdict == .passed, "\(report.text)")
        let signature = try #require(report.signatures.first)
        #expect(report.signatures.count == 1 && signature.field == "PopplerSig" && signature.coverage == "whole file")
        #expect(signature.notes.contains { $0.code == "signatureFieldNotInForm" }, "\(report.text)")
        #expect(signature.signer?.commonName == "Third Party RSA Signer")

        // Okular's usual path: sign the existing empty fields one after the other. poppler also
        // sets each widget's /M (its modification date), which signing may change.
        let first = material.directory.appendingPathComponent("poppler-field-1.pdf")
        let second = material.directory.appendingPathComponent("poppler-field-2.pdf")
        try material.signWithPoppler(material.input, output: first, existingField: "sig_customer")
        try material.signWithPoppler(first, output: second, existingField: "sig_company")
        let twice = try verifier.verify(path: second.path)
        #expect(twice.verdict == .passed && twice.signatures.count == 2, "\(twice.text)")
        #expect(twice.signatures[0].modifications.contains { $0.allowed && $0.description.contains("'sig_company' signed") })

        let ours = try fixtures.write(try fixtures.sign(fixtures.contract, .field("sig_customer")), "ours-before-poppler.pdf")
        let both = material.directory.appendingPathComponent("ours-then-poppler.pdf")
        try material.signWithPoppler(ours, output: both, field: "PopplerSig")
        let anchors = try Certificate.load(pem: Data(contentsOf: material.root)) + [fixtures.ca.certificate]
        let after = try PDFVerifier(trustAnchors: anchors).verify(path: both.path)
        #expect(after.signatures.map(\.verdict) == [.passed, .passed], "\(after.text)")
        #expect(after.signatures.first?.modifications.contains { $0.allowed && $0.description.contains("'PopplerSig' added and signed") } == true,
                "\(after.text)")
    }

    /// The contract with its `/AcroForm` dictionary moved into the catalog.
    static func withDirectForm(_ bytes: [UInt8]) throws -> [UInt8] {
        let document = try PDFDocument(bytes: bytes)
        var catalog = try document.catalog()
        let form = try #require(try document.resolve(catalog, "AcroForm")?.dictionaryValue)
        #expect(catalog["AcroForm"]?.referenceValue != nil, "the premise: our documents write the form as an object")
        catalog["AcroForm"] = .dictionary(form)
        var update = IncrementalUpdate(document: document)
        update.set(try #require(document.catalogReference()), .dictionary(catalog))
        return update.write().bytes
    }

    /// Deleting an annotation from the middle of a page's /Annots after a certification: one
    /// removal (allowed at DocMDP 3, ISO 32000-2 Table 257; not at 2), never read as the later
    /// entries "added" and the tail "removed". (Page 1 also holds the contract's signature
    /// widgets: removing one of those is never allowed, a test of its own below.)
    @Test(arguments: [3, 2])
    func anAnnotationDeletedFromTheMiddleIsOneRemoval(level: Int) throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        var bytes = fixtures.contract
        for (index, text) in ["first", "second", "third"].enumerated() {
            let document = try PDFDocument(bytes: bytes)
            var update = IncrementalUpdate(document: document)
            let page = try document.pages()[0]
            let note = update.add(.dictionary([
                "Type": .name("Annot"), "Subtype": .name("Text"), "Contents": .string(PDFString(text: text)),
                "Rect": [72, .integer(500 - index * 40), 92, .integer(520 - index * 40)], "P": .reference(page.reference),
            ]))
            try DocumentEdits.addAnnotation(note, page: page, document: document, update: &update)
            bytes = update.write().bytes
        }
        let input = try fixtures.write(bytes, "annotated-\(level).pdf")
        let folder = input.deletingLastPathComponent()
        let certified = folder.appendingPathComponent("annotated-certified-\(level).pdf")
        let edited = folder.appendingPathComponent("annotated-edited-\(level).pdf")
        try material.certifyThenRemoveAnnotation(level: level, removing: "second", input: input, certified: certified, edited: edited)
        let verifier = PDFVerifier(trustAnchors: try Certificate.load(pem: Data(contentsOf: material.root)))
        #expect(verifier.verify(bytes: [UInt8](try Data(contentsOf: certified))).verdict == .passed)
        let report = verifier.verify(bytes: [UInt8](try Data(contentsOf: edited)))
        let changes = report.signatures[0].modifications
        #expect(!changes.contains { $0.description.contains("added") }, "\(report.text)")
        if level == 3 {
            #expect(report.verdict == .passed && changes.contains { $0.allowed && $0.description == "page 1: 1 annotation(s) removed" },
                    "\(report.text)")
        } else {
            #expect(report.verdict == .failed && changes.contains { !$0.allowed && $0.description == "page 1: 1 annotation(s) removed or reordered" },
                    "\(report.text)")
        }
    }

    /// A form field's widget removed from the page after a certification hides the field: never
    /// allowed, even where annotations may be deleted (DocMDP 3).
    @Test func aFieldsWidgetRemovedIsNeverAllowed() throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        let input = try fixtures.write(fixtures.contract, "widget-removal.pdf")
        let folder = input.deletingLastPathComponent()
        let certified = folder.appendingPathComponent("widget-removal-certified.pdf")
        let edited = folder.appendingPathComponent("widget-removal-edited.pdf")
        // The contract's page 1 holds its signature fields' widgets; pyHanko's script removes by
        // /Contents, which widgets lack (None), so remove the first widget by its own script.
        try material.python("""
            import sys
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.pdf_utils import generic
            from pyhanko.sign import fields, signers
            key, cert, root, source, target, changed = sys.argv[1:7]
            signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root,))
            with open(source, "rb") as handle:
                writer = IncrementalPdfFileWriter(handle)
                with open(target, "wb") as out:
                    signers.sign_pdf(writer, signers.PdfSignatureMetadata(
                        field_name="Cert", certify=True, docmdp_permissions=fields.MDPPerm(3)),
                        signer=signer, output=out, new_field_spec=fields.SigFieldSpec("Cert"))
            with open(target, "rb") as handle:
                writer = IncrementalPdfFileWriter(handle)
                page = writer.root["/Pages"]["/Kids"][0].get_object()
                annots = page["/Annots"]
                first = next(i for i, a in enumerate(annots) if a.get_object().get("/T") == "sig_company")
                page["/Annots"] = generic.ArrayObject([a for i, a in enumerate(annots) if i != first])
                writer.update_container(page)
                with open(changed, "wb") as out:
                    writer.write(out)
            """, [material.keyPath, material.certificatePath, material.root.path, input.path, certified.path, edited.path])
        let verifier = PDFVerifier(trustAnchors: try Certificate.load(pem: Data(contentsOf: material.root)))
        let report = verifier.verify(bytes: [UInt8](try Data(contentsOf: edited)))
        #expect(report.verdict == .failed && report.signatures[0].modifications.contains {
            !$0.allowed && $0.description == "page 1: widget of field 'sig_company' removed"
        }, "\(report.text)")
    }

    /// pyHanko locks `amount` with FieldMDP: filling `note` afterwards is fine, filling `amount` is not.
    @Test func fieldMDPLockIsEnforced() throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        let form = try DocumentEdits.addTextField(try DocumentEdits.addTextField(fixtures.contract, name: "amount"), name: "note")
        let input = try fixtures.write(form, "fieldmdp-input.pdf")
        let output = input.deletingLastPathComponent().appendingPathComponent("fieldmdp-signed.pdf")
        try material.signLocking(["amount"], input: input, output: output)
        let signed = [UInt8](try Data(contentsOf: output))
        let verifier = PDFVerifier(trustAnchors: try Certificate.load(pem: Data(contentsOf: material.root)))
        #expect(verifier.verify(bytes: signed).verdict == .passed)

        let note = verifier.verify(bytes: try DocumentEdits.fill(signed, field: "note", value: "call first"))
        #expect(note.verdict == .passed, "\(note.text)")
        let amount = verifier.verify(bytes: try DocumentEdits.fill(signed, field: "amount", value: "9,999 EUR"))
        #expect(amount.verdict == .failed, "\(amount.text)")
        #expect(amount.signatures[0].modifications.contains { !$0.allowed && $0.description.contains("locks it (FieldMDP)") },
                "\(amount.text)")
    }

    /// A FieldMDP lock on a signature field forbids signing it, since signing gives the field its
    /// value (ISO 32000-2 §12.8.2.4; pyHanko agrees); an unlocked one may still be signed.
    @Test(arguments: [true, false])
    func aLockedSignatureFieldMayNotBeSigned(locked: Bool) throws {
        let fixtures = VerificationFixtures.shared
        let material = ThirdPartySigning.shared
        let input = try fixtures.write(fixtures.contract, "fieldmdp-sig-input-\(locked).pdf")
        let output = input.deletingLastPathComponent().appendingPathComponent("fieldmdp-sig-locked-\(locked).pdf")
        try material.signLocking([locked ? "sig_company" : "sig_customer"], input: input, output: output)
        let signed = try fixtures.sign([UInt8](try Data(contentsOf: output)), .field("sig_company"), signer: "Bob Company")
        let anchors = try Certificate.load(pem: Data(contentsOf: material.root)) + [fixtures.ca.certificate]
        let report = PDFVerifier(trustAnchors: anchors).verify(bytes: signed)
        #expect(report.signatures.map(\.verdict) == [locked ? .failed : .passed, .passed], "\(report.text)")
        let denied = report.signatures[0].modifications.filter { !$0.allowed }.map(\.description)
        #expect(denied == (locked ? ["signature field 'sig_company' signed although signature field 'Sig1' locks it (FieldMDP)"] : []),
                "\(denied)")
    }
}
