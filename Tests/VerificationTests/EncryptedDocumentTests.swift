import CountersignCrypto
import Foundation
import PDFSyntax
import Signing
import TestSupport
import Testing
import Verification

/// Encrypted inputs (ISO 32000-2 §7.6, standard security handler): made by qpdf in every variant
/// it writes, signed by us with an incremental update encrypted with the file's key, and judged by
/// our verifier, qpdf, pdfsig and pyHanko.
@Suite(.enabled(if: toolAvailable("qpdf"), "needs qpdf to encrypt the inputs"))
struct EncryptedDocumentTests {
    let fixtures = VerificationFixtures.shared
    static let owner = "owner-secret"

    /// One way qpdf encrypts: its key length and options.
    struct Variant: Sendable, CustomTestStringConvertible {
        var name: String
        var bits: String
        var options: [String]
        /// What `PDFEncryption.methodDescription` says about it.
        var method: String
        /// How many of our signatures pyHanko 0.38 can judge here (docs/verification.md, "Encrypted
        /// files and pyHanko"): none for revision 5 (it does not open it) and for clear metadata (it
        /// AES-decrypts the clear metadata stream); one where the original's objects sit in object
        /// streams (its diff compares a decrypted-object proxy with a plain dictionary and calls the
        /// page rewritten by the second signature changed).
        var pyhankoSignatures = 2
        var testDescription: String { name }
    }

    static let variants: [Variant] = [
        Variant(name: "RC4 40-bit (R2)", bits: "40", options: ["--allow-weak-crypto"], method: "revision 2, RC4 40-bit"),
        Variant(name: "RC4 128-bit (R3)", bits: "128", options: ["--use-aes=n", "--allow-weak-crypto"], method: "revision 3, RC4 128-bit"),
        Variant(name: "RC4 128-bit crypt filters (R4)", bits: "128", options: ["--use-aes=n", "--force-V4", "--allow-weak-crypto"],
                method: "revision 4, RC4 128-bit"),
        Variant(name: "AES-128 (R4), object streams", bits: "128", options: ["--use-aes=y", "--object-streams=generate"],
                method: "revision 4, AES-128", pyhankoSignatures: 1),
        Variant(name: "AES-128 (R4), metadata in clear", bits: "128", options: ["--use-aes=y", "--cleartext-metadata"],
                method: "revision 4, AES-128", pyhankoSignatures: 0),
        Variant(name: "AES-256 (R6)", bits: "256", options: [], method: "revision 6, AES-256"),
        Variant(name: "AES-256 (R6), object streams", bits: "256", options: ["--object-streams=generate"], method: "revision 6, AES-256",
                pyhankoSignatures: 1),
        Variant(name: "AES-256 (R5, deprecated)", bits: "256", options: ["--force-R5", "--allow-weak-crypto"], method: "revision 5, AES-256",
                pyhankoSignatures: 0),
    ]

    /// `bytes` encrypted by qpdf with `user` and our owner password.
    static func encrypt(_ bytes: [UInt8], _ variant: Variant, user: String = "", permissions: [String] = []) throws -> [UInt8] {
        let directory = try TestEnvironment.scratchDirectory("encrypt")
        let input = directory.appendingPathComponent("in.pdf"), output = directory.appendingPathComponent("out.pdf")
        try Data(bytes).write(to: input)
        // General options first; the rest belong inside `--encrypt … --`.
        let general = variant.options.filter { $0 == "--allow-weak-crypto" || $0.hasPrefix("--object-streams") }
        let arguments = general + ["--encrypt", user, owner, variant.bits]
            + variant.options.filter { !general.contains($0) } + permissions + ["--", input.path, output.path]
        let result = try runCommand("qpdf", arguments)
        #expect(result.status == 0, "qpdf \(arguments): \(result.stderr)")
        return Array(try Data(contentsOf: output))
    }

    static func decryption(_ password: String = "") -> PDFDecryption { .openSSL(password: password) }

    func sign(_ bytes: [UInt8], _ placement: SignaturePlacement, password: String = "", name: String = "Test Signer") throws -> [UInt8] {
        let signer = try PDFSigner(identity: try fixtures.identity(name: name))
        var request = SignatureRequest(placement: placement, reason: "Approved", signingTime: fixtures.time)
        request.documentPassword = password
        return try signer.sign(bytes, request: request)
    }

    func verifier(password: String = "") -> PDFVerifier {
        var verifier = fixtures.trusted
        verifier.documentPassword = password
        return verifier
    }

    /// Every variant: decrypts to what was encrypted, signs twice (an existing field, then a new
    /// visible one), and every judge agrees the result is intact and only signed after signing.
    @Test(arguments: variants)
    func signsAndVerifiesEveryStandardHandlerVariant(_ variant: Variant) throws {
        let encrypted = try Self.encrypt(fixtures.contract, variant)
        let document = try PDFDocument(bytes: encrypted, decryption: Self.decryption())
        #expect(document.encryption?.methodDescription.contains(variant.method) == true, "\(document.encryption?.methodDescription ?? "-")")
        let plain = try PDFDocument(bytes: fixtures.contract)
        #expect(try document.formFields().map(\.name) == plain.formFields().map(\.name))
        // (qpdf writes encrypted strings in hex, so the bytes are compared, not the syntax.)
        #expect(try document.resolve(document.trailer, "Info").flatMap { try document.resolve($0.dictionaryValue ?? [:], "Title") }?.stringValue?.bytes
                == plain.resolve(plain.trailer, "Info").flatMap { try plain.resolve($0.dictionaryValue ?? [:], "Title") }?.stringValue?.bytes)
        let page = try document.pages()[0], plainPage = try plain.pages()[0]
        let content = try document.resolve(page.dictionary["Contents"] ?? .null).streamValue
        let plainContent = try plain.resolve(plainPage.dictionary["Contents"] ?? .null).streamValue
        #expect(try content.map { try document.decodedData(of: $0) } == plainContent.map { try plain.decodedData(of: $0) })

        let once = try sign(encrypted, .field("sig_customer"))
        let twice = try sign(once, .rectangle(page: 1, x: 72, y: 72, width: 180, height: 50), name: "Second Signer")
        for (bytes, count) in [(once, 1), (twice, 2)] {
            let report = verifier().verify(bytes: bytes)
            #expect(report.verdict == .passed, "\(report.text)")
            #expect(report.signatures.count == count)
            let file = try fixtures.write(bytes, "encrypted-\(count).pdf")
            let check = try runCommand("qpdf", ["--check", file.path])
            #expect(check.status == 0 && !check.stdout.contains("WARNING"), "qpdf: \(check.stdout) \(check.stderr)")
            if toolAvailable("pdfsig") {
                let pdfsig = try runCommand("pdfsig", [file.path])
                #expect(pdfsig.stdout.components(separatedBy: "Signature is Valid").count - 1 == count, "pdfsig: \(pdfsig.stdout)")
            }
            if OtherValidators.pyhankoAvailable, count <= variant.pyhankoSignatures {
                let pyhanko = try runCommand(TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path,
                                             ["sign", "validate", "--trust", fixtures.caFile.path, "--trust-replace",
                                              "--no-revocation-check", "--password", "", file.path], timeout: 120)
                let lines = pyhanko.stdout.split(separator: "\n").filter { $0.contains(":INTACT:") }
                #expect(pyhanko.status == 0 && lines.count == count, "pyhanko: \(pyhanko.stdout) \(pyhanko.stderr)")
            }
        }
        // The update is encrypted with the file's key: the trailer keeps /Encrypt and /ID, and the
        // strings we wrote are not in clear (the signer's name is: in the certificate in /Contents).
        let signed = try PDFDocument(bytes: twice, decryption: Self.decryption())
        #expect(signed.trailer["Encrypt"] == document.trailer["Encrypt"] && signed.trailer["ID"] == document.trailer["ID"])
        #expect(!Self.contains(twice, "Approved"))
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// A user password: without it nothing opens (a precise refusal); the user or the owner
    /// password opens it for signing and for verification.
    @Test func aUserPasswordIsNeededToOpenTheFile() throws {
        let encrypted = try Self.encrypt(fixtures.contract, Self.variants[5], user: "user-secret")
        #expect { try sign(encrypted, .field("sig_customer")) } throws: { ($0 as? PDFError)?.code == .wrongPassword }
        #expect { try sign(encrypted, .field("sig_customer"), password: "guess") } throws: {
            ($0 as? PDFError)?.reason.contains("neither as its user password nor as its owner password") == true
        }
        let report = verifier().verify(bytes: try sign(encrypted, .field("sig_customer"), password: "user-secret"))
        #expect(report.verdict == .indeterminate && report.codes == [.unsupported], "\(report.text)")
        #expect(report.allReasons.contains("needs a password"), "\(report.allReasons)")
        let signed = try sign(encrypted, .field("sig_customer"), password: Self.owner)
        for password in ["user-secret", Self.owner] {
            let report = verifier(password: password).verify(bytes: signed)
            #expect(report.verdict == .passed, "\(report.text)")
        }
    }

    /// An encrypted input whose structure is ambiguous (its `startxref` points three bytes past
    /// the cross-reference section) and that carries no signature is rewritten, encrypted again
    /// with its own key, and signed; every judge agrees on the result.
    @Test(arguments: [Self.variants[1], Self.variants[3], Self.variants[6]])
    func anAmbiguousEncryptedInputIsRewrittenEncryptedAgainThenSigned(_ variant: Variant) throws {
        let encrypted = try Self.encrypt(fixtures.contract, variant)
        let ambiguous = StructureSurgery.shiftingLastStartxref(by: 3, in: encrypted)
        #expect(throws: PDFError.self) { try PDFDocument(bytes: ambiguous, mode: .strict, decryption: Self.decryption()) }

        let signer = try PDFSigner(identity: try fixtures.identity(name: "Test Signer"))
        let signed = try signer.sign(PDFBytes(ambiguous), request: SignatureRequest(placement: .invisible(fieldName: "sig"), reason: "Approved",
                                                                                   signingTime: fixtures.time))
        let notice = try #require(signed.notices.first)
        #expect(notice.contains("rewritten cleanly") && notice.contains("encrypted again with the file's own key"), "\(notice)")
        let bytes = signed.original.array + signed.appended
        let original = try PDFDocument(bytes: encrypted, decryption: Self.decryption())
        let document = try PDFDocument(bytes: bytes, mode: .strict, decryption: Self.decryption())
        #expect(document.encryption?.methodDescription == original.encryption?.methodDescription)
        #expect(document.trailer["ID"]?.arrayValue?.first == original.trailer["ID"]?.arrayValue?.first, "the same file key")
        #expect(try document.formFields().map(\.name) == original.formFields().map(\.name) + ["sig"])
        #expect(!Self.contains(bytes, "Approved"), "the rewrite and the update are encrypted")
        let report = verifier().verify(bytes: bytes)
        #expect(report.verdict == .passed, "\(report.text)")
        let file = try fixtures.write(bytes, "ambiguous-encrypted.pdf")
        let check = try runCommand("qpdf", ["--check", file.path])
        #expect(check.status == 0 && !check.stdout.contains("WARNING"), "qpdf: \(check.stdout) \(check.stderr)")
        if toolAvailable("pdfsig") {
            #expect(try runCommand("pdfsig", [file.path]).stdout.contains("Signature is Valid"))
        }
    }

    /// Permissions that forbid filling forms and annotating: refused with the reason, unless the
    /// owner password is given.
    @Test(arguments: [Self.variants[1], Self.variants[5]])
    func permissionsThatForbidSigningNeedTheOwnerPassword(_ variant: Variant) throws {
        let encrypted = try Self.encrypt(fixtures.contract, variant, permissions: ["--annotate=n", "--form=n", "--modify=none"])
        #expect {
            try sign(encrypted, .field("sig_customer"))
        } throws: { error in
            guard let error = error as? SigningError else { return false }
            return error.code == .notPermitted && error.reason.contains("filling in the existing signature field")
                && error.reason.contains("owner password")
        }
        #expect { try sign(encrypted, .invisible(fieldName: "extra")) } throws: { ($0 as? SigningError)?.code == .notPermitted }
        let signed = try sign(encrypted, .field("sig_customer"), password: Self.owner)
        #expect(verifier().verify(bytes: signed).verdict == .passed)
    }

    /// Permissions that let a form be filled but not changed (as DD Form 293 in pikepdf's tests): a new
    /// field is refused, and the refusal names the empty signature fields that may be signed
    /// instead; signing one of them is allowed and passes.
    @Test func fillOnlyPermissionsPointToTheEmptySignatureFields() throws {
        let encrypted = try Self.encrypt(fixtures.contract, Self.variants[3], permissions: ["--modify=form"])
        #expect {
            try sign(encrypted, .invisible(fieldName: "extra"))
        } throws: { error in
            guard let error = error as? SigningError else { return false }
            return error.code == .notPermitted && error.reason.contains("creating a signature field")
                && error.reason.contains("sign an empty signature field it already has ('sig_customer', 'sig_company') with --field NAME")
        }
        let signed = try sign(encrypted, .field("sig_customer"))
        #expect(verifier().verify(bytes: signed).verdict == .passed)
    }

    /// Revision 6's `/P` is not bound to the file key; `/Perms` is (Algorithm 13). A `/P` widened
    /// by a tool without the key is caught: only what both grant is granted, with a note, so
    /// signing stays refused; a `/Perms` that is gone leaves `/P` alone, also with a note.
    @Test func aWidenedPIsCaughtByPerms() throws {
        let encrypted = try Self.encrypt(fixtures.contract, Self.variants[5], permissions: ["--annotate=n", "--form=n", "--modify=none"])
        let honest = try PDFDocument(bytes: encrypted, decryption: Self.decryption())
        #expect(honest.notes.allSatisfy { $0.code != .encryptionPermissionsUnconfirmed }, "\(honest.notes)")
        #expect(honest.encryption?.permissions.fillForms == false)

        // Latin-1 keeps every byte as one character, so the edits keep every offset.
        let text = try #require(String(bytes: encrypted, encoding: .isoLatin1))
        func bytes(_ text: String) throws -> [UInt8] { Array(try #require(text.data(using: .isoLatin1))) }
        let declared = try #require(text.firstRange(of: #/\/P -[0-9]+ /#))
        let original = String(text[declared])
        let widened = ("/P -4" + String(repeating: " ", count: original.count - 5))
        let tampered = try bytes(text.replacingCharacters(in: declared, with: widened))
        #expect(tampered.count == encrypted.count)
        let document = try PDFDocument(bytes: tampered, decryption: Self.decryption())
        let note = try #require(document.notes.first { $0.code == .encryptionPermissionsUnconfirmed })
        #expect(note.message.contains("/P -4 differs from the \(original.trimmingCharacters(in: .whitespaces))"), "\(note)")
        #expect(document.encryption?.permissions.fillForms == false && document.encryption?.permissions.annotate == false)
        #expect { try sign(tampered, .field("sig_customer")) } throws: { ($0 as? SigningError)?.code == .notPermitted }

        let removed = try bytes(text.replacingOccurrences(of: "/Perms <", with: "/Xerms <"))
        let unconfirmed = try PDFDocument(bytes: removed, decryption: Self.decryption())
        #expect(unconfirmed.notes.contains { $0.code == .encryptionPermissionsUnconfirmed && $0.message.contains("no 16-byte /Perms") },
                "\(unconfirmed.notes)")
        #expect(unconfirmed.encryption?.permissions.fillForms == false)
    }

    /// A change after signing, written into the encrypted file with its own key, is still seen:
    /// modification analysis compares the decrypted objects.
    @Test func aPageChangeAfterSigningAnEncryptedFileFails() throws {
        let signed = try sign(try Self.encrypt(fixtures.contract, Self.variants[3]), .field("sig_customer"))
        let document = try PDFDocument(bytes: signed, decryption: Self.decryption())
        var update = IncrementalUpdate(document: document)
        let page = try document.pages()[0]
        var dictionary = page.dictionary
        dictionary["Rotate"] = 90
        update.set(page.reference, .dictionary(dictionary))
        let tampered = try update.makeOutput().bytes
        let report = verifier().verify(bytes: tampered)
        #expect(report.verdict == .failed && report.codes.contains(.disallowedModification), "\(report.text)")
    }

    /// The public-key security handler needs a recipient's private key: refused, saying so.
    @Test func thePublicKeyHandlerIsRefusedPrecisely() throws {
        var update = IncrementalUpdate(document: try PDFDocument(bytes: fixtures.contract))
        let handler = update.add(.dictionary(["Filter": .name("Adobe.PubSec"), "SubFilter": .name("adbe.pkcs7.s5"), "V": 4,
                                              "Recipients": .array([.string(PDFString(bytes: [0x30, 0x00], syntax: .hex))])]))
        update.trailerChanges["Encrypt"] = .reference(handler)
        let bytes = update.write().bytes
        #expect { try sign(bytes, .field("sig_customer")) } throws: { error in
            guard let error = error as? PDFError else { return false }
            return error.code == .encrypted && error.reason.contains("public-key security handler") && error.reason.contains("private key")
        }
        let report = verifier().verify(bytes: bytes)
        #expect(report.verdict == .indeterminate && report.allReasons.contains("/Adobe.PubSec"), "\(report.text)")
    }
}
