import Foundation
import TestSupport
import Testing

/// Files signed by someone else: a PKI made with the `openssl` CLI (a root, an RSA and an EC
/// signer) and signatures made by pyHanko's CLI from the venv. Nothing here uses our signer.
final class ThirdPartySigning: @unchecked Sendable {
    static let shared = try! ThirdPartySigning()

    enum Key: String, Sendable, CaseIterable { case rsa, ec, ed25519, ed448 }

    /// How pyHanko signs one file.
    struct Recipe: Sendable, CustomTestStringConvertible {
        var name: String
        /// `--field` values, one signature each (`PAGE/X1,Y1,X2,Y2/NAME` is visible, `NAME` invisible).
        var fields: [String]
        var keys: [Key]
        /// `--use-pades` (ETSI.CAdES.detached); otherwise adbe.pkcs7.detached.
        var pades = true
        var certify = false
        var timestamped = false
        /// Then `pyhanko sign timestamp`: an RFC 3161 document timestamp in its own revision.
        var documentTimestamp = false
        var testDescription: String { name }
    }

    static let recipes: [Recipe] = [
        Recipe(name: "visible", fields: ["1/100,100,300,150/Sig1"], keys: [.rsa]),
        Recipe(name: "invisible", fields: ["Sig1"], keys: [.rsa]),
        Recipe(name: "certified", fields: ["Sig1"], keys: [.rsa], certify: true),
        Recipe(name: "two-signatures", fields: ["1/100,100,300,150/Sig1", "Sig2"], keys: [.rsa, .ec]),
        Recipe(name: "ecdsa", fields: ["1/320,100,520,150/Sig1"], keys: [.ec]),
        Recipe(name: "pkcs7", fields: ["Sig1"], keys: [.rsa], pades: false),
        Recipe(name: "timestamped", fields: ["Sig1"], keys: [.rsa], timestamped: true),
        Recipe(name: "existing-field", fields: ["sig_customer"], keys: [.ec]),
        Recipe(name: "document-timestamp", fields: ["Sig1"], keys: [.rsa], documentTimestamp: true),
        // RFC 8419: pyHanko digests Ed25519 with SHA-512 and Ed448 with id-shake256-len (512).
        Recipe(name: "ed25519", fields: ["Sig1"], keys: [.ed25519]),
        Recipe(name: "ed448", fields: ["Sig1"], keys: [.ed448]),
    ]

    let directory: URL
    let root: URL
    let input: URL

    private init() throws {
        directory = try TestEnvironment.scratchDirectory("third-party")
        root = directory.appendingPathComponent("root.pem")
        input = directory.appendingPathComponent("contract.pdf")
        try Data(VerificationFixtures.shared.contract).write(to: input)
        try makePKI()
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try runCommand("openssl", arguments)
        guard result.status == 0 else { throw TestTSAError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    /// The RSA signer's key and certificate (PEM), for scripts of the tests' own.
    var keyPath: String { path("rsa.key") }
    var certificatePath: String { path("rsa.pem") }

    private func makePKI() throws {
        try Data("""
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,nonRepudiation
            subjectKeyIdentifier=hash
            authorityKeyIdentifier=keyid

            """.utf8).write(to: directory.appendingPathComponent("leaf.cnf"))
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("root.key"), "-out", root.path,
                     "-days", "30", "-subj", "/CN=Third Party Root", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("rsa.key")])
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("ec.key")])
        try openssl(["genpkey", "-algorithm", "ED25519", "-out", path("ed25519.key")])
        try openssl(["genpkey", "-algorithm", "ED448", "-out", path("ed448.key")])
        for (key, name) in [("rsa", "Third Party RSA Signer"), ("ec", "Third Party EC Signer"),
                            ("ed25519", "Third Party Ed25519 Signer"), ("ed448", "Third Party Ed448 Signer")] {
            try openssl(["req", "-new", "-key", path("\(key).key"), "-out", path("\(key).csr"), "-subj", "/CN=\(name)"])
            try openssl(["x509", "-req", "-in", path("\(key).csr"), "-CA", root.path, "-CAkey", path("root.key"),
                         "-CAcreateserial", "-out", path("\(key).pem"), "-days", "30", "-extfile", path("leaf.cnf")])
        }
    }

    /// Signs the contract as `recipe` says and returns the signed file.
    func sign(_ recipe: Recipe, tsa: TestTSA? = nil) throws -> URL {
        let pyhanko = TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path
        var current = input
        for (index, (field, key)) in zip(recipe.fields, recipe.keys).enumerated() {
            let output = directory.appendingPathComponent("\(recipe.name)-\(index + 1).pdf")
            var arguments = ["sign", "addsig", "--field", field]
            if recipe.pades { arguments.append("--use-pades") }
            if recipe.certify && index == 0 { arguments.append("--certify") }
            if recipe.timestamped, let tsa { arguments += ["--timestamp-url", tsa.url.absoluteString] }
            arguments += ["pemder", "--key", path("\(key.rawValue).key"), "--cert", path("\(key.rawValue).pem"),
                          "--chain", root.path, "--no-pass", current.path, output.path]
            let result = try runCommand(pyhanko, arguments, timeout: 120)
            guard result.status == 0 else { throw TestTSAError("pyhanko \(arguments.joined(separator: " ")): \(result.stderr)") }
            current = output
        }
        if recipe.documentTimestamp, let tsa {
            let output = directory.appendingPathComponent("\(recipe.name)-timestamped.pdf")
            let arguments = ["sign", "timestamp", "--timestamp-url", tsa.url.absoluteString, "--trust", tsa.rootCertificate.path,
                             "--trust-replace", current.path, output.path]
            let result = try runCommand(pyhanko, arguments, timeout: 120)
            guard result.status == 0 else { throw TestTSAError("pyhanko \(arguments.joined(separator: " ")): \(result.stderr)") }
            current = output
        }
        return current
    }

    /// Signs `input` with poppler's `pdfsig -add-signature` (the signing code Okular uses) as
    /// the RSA signer, through an NSS database made once from the openssl PKI.
    /// `field` names a new field to add; `existingField` an empty one to sign.
    func signWithPoppler(_ input: URL, output: URL, field: String? = nil, existingField: String? = nil) throws {
        let database = "sql:" + path("nss")
        if !FileManager.default.fileExists(atPath: path("nss/cert9.db")) {
            try FileManager.default.createDirectory(atPath: path("nss"), withIntermediateDirectories: true)
            try openssl(["pkcs12", "-export", "-inkey", path("rsa.key"), "-in", path("rsa.pem"), "-certfile", root.path,
                         "-name", "rsa", "-out", path("rsa.p12"), "-passout", "pass:poppler"])
            for arguments in [["certutil", "-N", "-d", database, "--empty-password"],
                              ["pk12util", "-i", path("rsa.p12"), "-d", database, "-W", "poppler"]] {
                let result = try runCommand(arguments[0], Array(arguments.dropFirst()))
                guard result.status == 0 else { throw TestTSAError("\(arguments.joined(separator: " ")): \(result.stderr)") }
            }
        }
        let target = existingField.map { ["-sign", $0] } ?? ["-add-signature", "-new-signature-field-name", field ?? "Signature"]
        let result = try runCommand("pdfsig", ["-nssdir", database, "-nick", "rsa"] + target + [input.path, output.path],
                                    timeout: 120)
        guard result.status == 0, FileManager.default.fileExists(atPath: output.path) else {
            throw TestTSAError("pdfsig \(target.joined(separator: " ")): \(result.stderr)")
        }
    }

    /// Runs a pyHanko API script from the venv (for what its CLI cannot do).
    func python(_ script: String, _ arguments: [String]) throws {
        let python = TestEnvironment.venv.appendingPathComponent("bin/python").path
        let file = directory.appendingPathComponent("script-\(UUID().uuidString.prefix(8)).py")
        try Data(script.utf8).write(to: file)
        let result = try runCommand(python, [file.path] + arguments, timeout: 120)
        guard result.status == 0 else { throw TestTSAError("python \(file.lastPathComponent): \(result.stderr)") }
    }

    /// Certifies `input` in a new invisible field `Cert` with DocMDP level `level` (1 to 3; our
    /// signer writes 1 and 2 only), then removes the annotation whose `/Contents` is `removing`
    /// from page 1's `/Annots` in an incremental update (pyHanko's API).
    func certifyThenRemoveAnnotation(level: Int, removing: String, input: URL, certified: URL, edited: URL) throws {
        try python("""
            import sys
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.pdf_utils import generic
            from pyhanko.sign import fields, signers
            key, cert, root, source, target, changed, level, removing = sys.argv[1:9]
            signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root,))
            with open(source, "rb") as handle:
                writer = IncrementalPdfFileWriter(handle)
                with open(target, "wb") as out:
                    signers.sign_pdf(writer, signers.PdfSignatureMetadata(
                        field_name="Cert", certify=True, docmdp_permissions=fields.MDPPerm(int(level))),
                        signer=signer, output=out, new_field_spec=fields.SigFieldSpec("Cert"))
            with open(target, "rb") as handle:
                writer = IncrementalPdfFileWriter(handle)
                page = writer.root["/Pages"]["/Kids"][0].get_object()
                annots = page["/Annots"]
                kept = generic.ArrayObject([a for a in annots if a.get_object().get("/Contents") != removing])
                assert len(kept) == len(annots) - 1
                page["/Annots"] = kept
                writer.update_container(page)
                with open(changed, "wb") as out:
                    writer.write(out)
            """, [path("rsa.key"), path("rsa.pem"), root.path, input.path, certified.path, edited.path, String(level), removing])
    }

    /// Signs `input` in a new field `Sig1` whose FieldMDP lock covers `locked` (pyHanko's API).
    func signLocking(_ locked: [String], input: URL, output: URL) throws {
        try python("""
            import sys
            from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
            from pyhanko.sign import fields, signers
            key, cert, root, source, target = sys.argv[1:6]
            signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(root,))
            spec = fields.SigFieldSpec("Sig1", box=(100, 100, 300, 150), field_mdp_spec=fields.FieldMDPSpec(
                fields.FieldMDPAction.INCLUDE, fields=sys.argv[6:]))
            with open(source, "rb") as handle:
                writer = IncrementalPdfFileWriter(handle)
                fields.append_signature_field(writer, spec)
                with open(target, "wb") as out:
                    signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer, output=out)
            """, [path("rsa.key"), path("rsa.pem"), root.path, input.path, output.path] + locked)
    }
}
