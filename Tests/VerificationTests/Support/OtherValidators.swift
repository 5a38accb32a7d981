internal import CPoppler
import Foundation
import PDFSyntax
import TestSupport

/// What validators we did not write say about a file, reduced to one word each for the
/// cross-check table (docs/verification.md).
enum OtherValidators {
    /// poppler's own integrity verdict, from poppler-glib's
    /// `poppler_form_field_signature_validate_sync` (no certificate validation): "valid" when
    /// every signature's status is VALID, else the worst status ("digest-mismatch", "invalid",
    /// "decoding-error", "error", "not-verified" when poppler refused to check a signature);
    /// "no-signatures" (unsigned fields do not count); "unreadable" when poppler cannot open it.
    static func poppler(_ file: URL) -> String {
        // poppler's signature backend (NSS) is set up globally and not safe to use from several
        // threads at once: one validation at a time.
        popplerLock.lock()
        defer { popplerLock.unlock() }
        var error: UnsafeMutablePointer<GError>?
        guard let uri = g_filename_to_uri(file.standardizedFileURL.path, nil, &error) else {
            cs_gerror_free(error)
            return "unreadable"
        }
        defer { g_free(uri) }
        guard let document = poppler_document_new_from_file(uri, nil, &error) else {
            cs_gerror_free(error)
            return "unreadable"
        }
        defer { cs_poppler_unref(UnsafeMutableRawPointer(document)) }
        guard let fields = poppler_document_get_signature_fields(document) else { return "no-signatures" }
        defer { g_list_free_full(fields) { cs_poppler_unref($0) } }
        // Which fields hold a signature (/V), read tolerantly: poppler reports NOT_VERIFIED both for
        // an unsigned field and for a signature it refused to check.
        let signed = (try? PDFDocument(bytes: [UInt8](Data(contentsOf: file)), mode: .tolerant(reconstruct: true)))
            .flatMap { try? ($0.formFields() + $0.standaloneSignatureFields()).filter(\.isSigned).map(\.name) }.map(Set.init)
        var statuses: [String] = []
        var node: UnsafeMutablePointer<GList>? = fields
        while let current = node {
            let field = OpaquePointer(current.pointee.data)
            defer { node = current.pointee.next }
            if let signed, let name = poppler_form_field_get_name(field) {
                defer { g_free(name) }
                if !signed.contains(String(cString: name)) { continue }
            }
            var failure: UnsafeMutablePointer<GError>?
            if let info = poppler_form_field_signature_validate_sync(field, PopplerSignatureValidationFlags(rawValue: 0), nil,
                                                                    &failure) {
                statuses.append(name(of: poppler_signature_info_get_signature_status(info)))
                poppler_signature_info_free(info)
            } else {
                cs_gerror_free(failure)
                statuses.append("error")
            }
        }
        let order = ["digest-mismatch", "invalid", "decoding-error", "error", "not-found", "not-verified"]
        return order.first(where: statuses.contains) ?? (statuses.isEmpty ? "no-signatures" : "valid")
    }

    private static let popplerLock = NSLock()

    private static func name(of status: PopplerSignatureStatus) -> String {
        switch status {
        case POPPLER_SIGNATURE_VALID: "valid"
        case POPPLER_SIGNATURE_INVALID: "invalid"
        case POPPLER_SIGNATURE_DIGEST_MISMATCH: "digest-mismatch"
        case POPPLER_SIGNATURE_DECODING_ERROR: "decoding-error"
        case POPPLER_SIGNATURE_NOT_FOUND: "not-found"
        case POPPLER_SIGNATURE_NOT_VERIFIED: "not-verified"
        default: "error"
        }
    }

    static var pyhankoAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path)
    }

    /// pyHanko's verdict (`pyhanko sign validate --trust … --trust-replace --no-revocation-check`):
    /// "PASSED" when every signature is INTACT, TRUSTED and its later changes are acceptable;
    /// "FAILED" when some signature is INVALID, has illegal changes after it or a nonstandard
    /// coverage;
    /// "INDETERMINATE" when intact but not trusted; "error" when pyHanko refuses the file.
    static func pyhanko(_ file: URL, trust: [URL]) throws -> String {
        let executable = TestEnvironment.venv.appendingPathComponent("bin/pyhanko").path
        let arguments = ["sign", "validate"] + trust.flatMap { ["--trust", $0.path] }
            + ["--trust-replace", "--no-revocation-check", file.path]
        let result = try runCommand(executable, arguments, timeout: 120)
        // One line per signature: `field:fingerprint:INVALID` or `field:fingerprint:INTACT:FLAGS,…`.
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: ":").map(String.init) }
            .filter { $0.count >= 3 && ($0[2] == "INTACT" || $0[2] == "INVALID") }
        guard !lines.isEmpty else { return "error" }
        var verdicts: [String] = []
        for parts in lines {
            let flags = Set(parts.dropFirst(3).joined(separator: ":").split(separator: ",").map(String.init))
            let badTimestamp = flags.contains { $0.hasPrefix("TIMESTAMP_TOKEN<") && !$0.hasPrefix("TIMESTAMP_TOKEN<INTACT") }
            if parts[2] == "INVALID" || flags.contains("ILLEGAL_MODIFICATIONS") || flags.contains("NONSTANDARD_COVERAGE")
                || badTimestamp {
                verdicts.append("FAILED")
            } else if !flags.contains("TRUSTED") {
                verdicts.append("INDETERMINATE")
            } else {
                verdicts.append("PASSED")
            }
        }
        return ["FAILED", "INDETERMINATE"].first(where: verdicts.contains) ?? "PASSED"
    }
}
