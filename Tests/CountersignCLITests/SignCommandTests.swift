import CountersignCrypto
import Foundation
import PDFSyntax
import Rendering
import TestSupport
import Testing
import Typesetting

/// `countersign sign` and `keys dev-ca` as users run them: the happy paths judged by pdfsig, and
/// every bad input a clear error with no output file.
@Suite(.serialized) struct SignCommandTests {
    static let material = try! SignMaterial()

    private func countersign(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
        try runCommand(TestEnvironment.countersignExecutable.path, arguments, environment: environment)
    }

    private func keyArguments(_ m: SignMaterial) -> [String] {
        ["--p12", m.devCA.appendingPathComponent("signer.p12").path,
         "--password-file", m.devCA.appendingPathComponent("signer.pass").path]
    }

    @Test func devCAFilesHaveTightModes() throws {
        let m = Self.material
        for name in ["ca-key.pem", "signer.p12", "signer.pass"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: m.devCA.appendingPathComponent(name).path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(name)")
        }
        let again = try countersign(["keys", "dev-ca", "--out", m.devCA.path])
        #expect(again.status == 73, "refuses to overwrite: cannot create output")
        #expect(again.stderr.contains("already holds") && again.stderr.contains("choose another --out"), "\(again.stderr)")
    }

    @Test func signsAFieldAnAnchorAndARectangle() throws {
        let m = Self.material
        let out = m.directory.appendingPathComponent("one.pdf")
        let first = try countersign(["sign", m.contract.path, "--out", out.path, "--field", "sig_customer",
                                     "--reason", "Agreed", "--quiet"] + keyArguments(m))
        #expect(first.status == 0, "\(first.stderr)")
        let second = m.directory.appendingPathComponent("two.pdf")
        let anchored = try countersign(["sign", out.path, "--out", second.path, "--anchor", "Sign here",
                                        "--anchor-offset", "0,-60", "--quiet"] + keyArguments(m))
        #expect(anchored.status == 0, "\(anchored.stderr)")
        let third = m.directory.appendingPathComponent("three.pdf")
        let rect = try countersign(["sign", second.path, "--out", third.path, "--at", "1:330,100,200,50",
                                    "--mark-image", m.markPNG.path, "--quiet"] + keyArguments(m))
        #expect(rect.status == 0, "\(rect.stderr)")
        let pdfsig = try runCommand("pdfsig", [third.path]).stdout
        #expect(pdfsig.components(separatedBy: "Signature is Valid").count - 1 == 3, "\(pdfsig)")
        let document = try PDFDocument(path: third.path)
        let anchorField = try document.formFields().first { $0.name == "Signature1" }
        let rectangle = try #require(anchorField?.widgets.first?.rect)
        #expect(rectangle.height == 45)
    }

    @Test func theTypedNameIsInTheScriptMarkFontNames() throws {
        let m = Self.material
        let out = m.directory.appendingPathComponent("chorus.pdf")
        let signed = try countersign(["sign", m.contract.path, "--out", out.path, "--at", "1:330,100,220,60",
                                      "--mark-font", "tex-gyre-chorus", "--quiet"] + keyArguments(m))
        #expect(signed.status == 0, "\(signed.stderr)")
        let fonts = try runCommand("pdffonts", [out.path]).stdout
        #expect(fonts.contains("+TeXGyreChorus") && !fonts.contains("DancingScript"), "\(fonts)")
        for (extra, message) in [(["--mark-font", "comic-sans"], "--mark-font must be dancing-script, kaushan-script, tex-gyre-chorus"),
                                 (["--mark-font", "kaushan-script", "--mark-image", m.markPNG.path], "--mark-font is for the typed name")] {
            let refused = m.directory.appendingPathComponent("refused-font.pdf")
            let result = try countersign(["sign", m.contract.path, "--out", refused.path, "--at", "1:330,100,220,60"]
                                         + extra + keyArguments(m))
            #expect(result.status == 64 && result.stderr.contains(message), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: refused.path))
        }
    }

    @Test(arguments: [
        ("wrong password", ["--password-env", "WRONG_PASSWORD"], "password"),
        ("missing key file", ["--p12", "/nonexistent/signer.p12"], "no such file"),
    ])
    func badKeysAreClearErrors(label: String, extra: [String], message: String) throws {
        let m = Self.material
        let out = m.directory.appendingPathComponent("bad-\(label.filter(\.isLetter)).pdf")
        var arguments = ["sign", m.contract.path, "--out", out.path, "--field", "sig_customer"]
        if extra.first == "--p12" {
            arguments += extra + ["--password-file", m.devCA.appendingPathComponent("signer.pass").path]
        } else {
            arguments += ["--p12", m.devCA.appendingPathComponent("signer.p12").path] + extra
        }
        let result = try countersign(arguments, environment: ["WRONG_PASSWORD": "not-the-password"])
        #expect(result.status != 0)
        #expect(result.stderr.lowercased().contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test(arguments: SignMaterial.BadIdentity.allCases)
    func badCertificatesAreRefused(_ kind: SignMaterial.BadIdentity) throws {
        let m = Self.material
        let (key, cert) = m.pem[kind]!
        let out = m.directory.appendingPathComponent("cert-\(kind.rawValue).pdf")
        let result = try countersign(["sign", m.contract.path, "--out", out.path, "--field", "sig_customer",
                                      "--key", key.path, "--cert", cert.path])
        #expect(result.status == 65, "\(kind): \(result.stderr)")
        #expect(result.stderr.lowercased().contains(kind.message), "\(kind): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        if kind == .expired {
            let allowed = try countersign(["sign", m.contract.path, "--out", out.path, "--field", "sig_customer",
                                           "--key", key.path, "--cert", cert.path, "--allow-expired"])
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
    }

    @Test(arguments: [
        ("not a PDF", "notpdf", ["--field", "sig_customer"], "not a pdf"),
        ("encrypted", "encrypted", ["--field", "sig_customer"], "encrypted"),
        ("unknown field", "contract", ["--field", "sig_nobody"], "no field named 'sig_nobody'"),
        ("anchor not found", "contract", ["--anchor", "No such words"], "does not occur"),
        ("already signed", "signed", ["--field", "sig_customer"], "already signed"),
        ("TSA down", "contract", ["--field", "sig_customer", "--profile", "pades-b-t", "--tsa", "http://127.0.0.1:9/tsa"], "127.0.0.1"),
        ("TSA garbage", "contract", ["--field", "sig_customer", "--profile", "pades-b-t", "--tsa", "GARBAGE"], "timestamp"),
    ])
    func badDocumentsAndPlacementsAreClearErrors(label: String, input: String, extra: [String], message: String) throws {
        let m = Self.material
        let out = m.directory.appendingPathComponent("doc-\(label.filter(\.isLetter)).pdf")
        let arguments = extra.map { $0 == "GARBAGE" ? m.garbageTSA.url.absoluteString : $0 }
        let result = try countersign(["sign", m.inputs[input]!.path, "--out", out.path] + arguments + keyArguments(m))
        #expect(result.status != 0, "\(label)")
        #expect([65, 74].contains(result.status), "\(label): exit \(result.status)")
        #expect(result.stderr.lowercased().contains(message.lowercased()), "\(label): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(label): one line: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "\(label): no output file")
    }

    @Test func batchSignsADirectoryWithAManifest() throws {
        let m = Self.material
        let input = m.directory.appendingPathComponent("batch-in")
        let output = m.directory.appendingPathComponent("batch-out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for index in 1...5 {
            try FileManager.default.copyItem(at: m.contract, to: input.appendingPathComponent("contract-\(index).pdf"))
        }
        try Data("not a pdf".utf8).write(to: input.appendingPathComponent("broken.pdf"))
        let result = try countersign(["sign", "--in", input.path, "--out", output.path, "--field", "sig_company",
                                      "--jobs", "2"] + keyArguments(m))
        #expect(result.status == 1, "one file failed: \(result.stderr)")
        #expect(result.stderr.contains("broken.pdf"))
        let manifest = try String(contentsOf: output.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        let lines = manifest.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.filter { $0.contains("\"status\":\"signed\"") }.count == 5)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("broken.pdf").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
        let pdfsig = try runCommand("pdfsig", [output.appendingPathComponent("contract-3.pdf").path]).stdout
        #expect(pdfsig.contains("Signature is Valid"))
    }
}

extension SignCommandTests {
    @Test func timingsAreOneJSONLineAndTheManifestHashesAreTheFiles() throws {
        let m = Self.material
        let input = m.directory.appendingPathComponent("timed-in")
        let output = m.directory.appendingPathComponent("timed-out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for index in 1...3 {
            try FileManager.default.copyItem(at: m.contract, to: input.appendingPathComponent("contract-\(index).pdf"))
        }
        let result = try countersign(["sign", "--in", input.path, "--out", output.path, "--field", "sig_customer",
                                      "--jobs", "1", "--quiet", "--timings"] + keyArguments(m))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1, "one JSON line on stdout: \(result.stdout)")
        let timings = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(timings.keys) == ["documents", "wall_s", "parse_s", "build_s", "hash_s", "hash_cpu_s", "hashed_bytes",
                                      "hash_mb_per_s", "sign_s", "write_s", "sync_s"])
        #expect(timings["documents"] as? Int == 3)
        // docs/signing.md shows the same keys.
        let document = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/signing.md"), encoding: .utf8)
        let example = try #require(document.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let documented = try #require(try JSONSerialization.jsonObject(with: Data(example.utf8)) as? [String: Any])
        #expect(Set(documented.keys) == Set(timings.keys))
        let contractSize = try Data(contentsOf: m.contract).count
        #expect((timings["hashed_bytes"] as? Int ?? 0) >= 3 * contractSize)

        // The manifest's sha256 comes from the signing pass; it must be the file's own hash.
        let manifest = try String(contentsOf: output.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        for line in manifest.split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try #require(row["file"] as? String)
            let bytes = try Data(contentsOf: output.appendingPathComponent(name))
            #expect(row["sha256"] as? String == DigestAlgorithm.sha256.hash(bytes).map { String(format: "%02x", $0) }.joined())
            #expect(row["bytes"] as? Int == bytes.count)
        }

        let single = m.directory.appendingPathComponent("timed-single.pdf")
        let one = try countersign(["sign", m.contract.path, "--out", single.path, "--field", "sig_customer",
                                   "--quiet", "--timings"] + keyArguments(m))
        #expect(one.status == 0, "\(one.stderr)")
        let oneTimings = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        #expect(oneTimings["documents"] as? Int == 1)
        #expect((oneTimings["hash_s"] as? Double ?? -1) >= 0)
    }
}

/// Keys, certificates and documents for the sign command tests, made once.
final class SignMaterial: @unchecked Sendable {
    enum BadIdentity: String, CaseIterable, Sendable {
        case expired, notYetValid, noSigningKeyUsage, mismatch
        var message: String {
            switch self {
            case .expired: return "expired"
            case .notYetValid: return "is not valid before"
            case .noSigningKeyUsage: return "neither digitalsignature nor nonrepudiation"
            case .mismatch: return "carries the private key's public key"
            }
        }
    }

    let directory: URL
    let devCA: URL
    let contract: URL
    let markPNG: URL
    var inputs: [String: URL] = [:]
    var pem: [BadIdentity: (URL, URL)] = [:]
    let garbageTSA: TestTSA

    init() throws {
        directory = try TestEnvironment.scratchDirectory("sign-cli")
        devCA = directory.appendingPathComponent("dev-ca")
        let made = try runCommand(TestEnvironment.countersignExecutable.path, ["keys", "dev-ca", "--out", devCA.path])
        guard made.status == 0 else { throw TestTSAError("keys dev-ca failed: \(made.stderr)") }
        contract = directory.appendingPathComponent("contract.pdf")
        var style = ParagraphStyle()
        style.alignment = .left
        let body: [Block] = [.paragraph(Paragraph(runs: [.plain("Order form for Acme Corp. Sign here when ready.")], style: style)),
                             .signature(SignatureBox(role: "customer", label: "Customer", width: 216, height: 54, required: true)),
                             .signature(SignatureBox(role: "company", label: "Company", width: 216, height: 54, required: true))]
        let spec = DocumentSpec(page: .letter, body: body)
        try Data(try DocumentFinisher().finish(try Typesetter().typeset(spec), info: spec.info)).write(to: contract)
        inputs["contract"] = contract
        let notPDF = directory.appendingPathComponent("notes.pdf")
        try Data("meeting notes, not a PDF".utf8).write(to: notPDF)
        inputs["notpdf"] = notPDF
        let encrypted = directory.appendingPathComponent("encrypted.pdf")
        _ = try runCommand("qpdf", ["--encrypt", "user", "owner", "256", "--", contract.path, encrypted.path])
        inputs["encrypted"] = encrypted
        let signed = directory.appendingPathComponent("signed.pdf")
        _ = try runCommand(TestEnvironment.countersignExecutable.path, [
            "sign", contract.path, "--out", signed.path, "--field", "sig_customer", "--quiet",
            "--p12", devCA.appendingPathComponent("signer.p12").path,
            "--password-file", devCA.appendingPathComponent("signer.pass").path])
        inputs["signed"] = signed
        markPNG = directory.appendingPathComponent("mark.png")
        try Data(SignMaterial.pngSignature()).write(to: markPNG)

        let ca = try DevelopmentCA.createRoot(key: .ecP256)
        let day: TimeInterval = 86_400
        let identities: [BadIdentity: SigningIdentity] = [
            .expired: try ca.issue(commonName: "Expired", key: .ecP256, notBefore: Date() - 30 * day, notAfter: Date() - day),
            .notYetValid: try ca.issue(commonName: "Future", key: .ecP256, notBefore: Date() + day, notAfter: Date() + 30 * day),
            .noSigningKeyUsage: try ca.issue(commonName: "Encipher only", key: .ecP256, keyUsage: [.keyEncipherment]),
        ]
        for (kind, identity) in identities {
            let key = directory.appendingPathComponent("\(kind.rawValue)-key.pem")
            let cert = directory.appendingPathComponent("\(kind.rawValue)-cert.pem")
            try identity.privateKey.pemEncoded(password: nil).write(to: key)
            try Data((identity.certificate.pemEncoded + ca.certificate.pemEncoded).utf8).write(to: cert)
            pem[kind] = (key, cert)
        }
        let other = try ca.issue(commonName: "Other", key: .ecP256)
        let mismatchKey = directory.appendingPathComponent("mismatch-key.pem")
        try other.privateKey.pemEncoded(password: nil).write(to: mismatchKey)
        pem[.mismatch] = (mismatchKey, pem[.expired]!.1)
        garbageTSA = try TestTSA(mode: .garbage)
    }

    /// A small RGBA PNG with a diagonal stroke (a "drawn" signature with transparency).
    static func pngSignature() -> [UInt8] {
        let width = 120, height = 40
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let onStroke = abs(Double(y) - (Double(x) * 0.3 + 5 + 6 * sin(Double(x) / 9))) < 1.6
                raw += onStroke ? [20, 40, 120, 255] : [0, 0, 0, 0]
            }
        }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let length = UInt32(data.count)
            return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
                + body + crc(body)
        }
        func crc(_ bytes: [UInt8]) -> [UInt8] {
            var c: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            c ^= 0xFFFF_FFFF
            return [UInt8(c >> 24), UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
        }
        let header: [UInt8] = [0, 0, 0, UInt8(width), 0, 0, 0, UInt8(height), 8, 6, 0, 0, 0]
        let compressed = (try? Flate.encode(raw)) ?? []
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", compressed) + chunk("IEND", [])
    }
}
