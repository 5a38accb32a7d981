import PDFSyntax

extension SigningError.Code {
    /// The input carries signatures and its structure is ambiguous: rewriting would break the
    /// signatures and an update on top would be judged FAILED, so it is not signed.
    public static let signedInputAmbiguous = SigningError.Code("signedInputAmbiguous")
}

/// What signing does with an input before adding its revision (DESIGN.md §7, "Signing an unsigned
/// file with ambiguous structure rewrites it cleanly first and says so; a file that already
/// carries signatures is never rewritten"):
///
/// - read strictly: harmless deviations are accepted and kept as notes; the file is signed with
///   an incremental update, every original byte kept;
/// - strict reading finds an ambiguity and the file has no signature: it is read tolerantly (the
///   cross-reference rebuilt by scanning if need be), written again in full by our writer, the
///   rewrite read strictly, and that is what gets signed — with a notice saying so;
/// - strict reading finds an ambiguity and the file carries signatures: refused, with the reason.
struct InputPreparation {
    /// The document to sign (the input itself, or its clean rewrite).
    var document: PDFDocument
    /// For people: what was done to the input before signing (empty when nothing was).
    var notices: [String]

    /// Codes that say the bytes cannot be read in any mode, or must not be rewritten.
    private static let unreadable: Set<PDFError.Code> = [.encrypted, .wrongPassword, .limitExceeded, .io]

    /// `asIs`: read with `.strictPerRevision` and never rewrite — signing the file the way a tool
    /// that does not look would (for tests that need a signed revision which is itself ambiguous).
    ///
    /// `password` opens an encrypted input (the user or the owner password; empty: the usual
    /// empty user password).
    init(_ input: PDFBytes, password: String = "", asIs: Bool = false) throws {
        let decryption = PDFDecryption.openSSL(password: password)
        if asIs {
            document = try PDFDocument(bytes: input, mode: .strictPerRevision, decryption: decryption)
            notices = []
            return
        }
        let strictError: PDFError
        do {
            let document = try PDFDocument(bytes: input, mode: .strict, decryption: decryption)
            // The parts signing reads, read strictly now, so that an object-level ambiguity
            // (a repeated key, a wrong stream /Length) is found here rather than halfway.
            try Self.touch(document)
            self.document = document
            notices = []
            return
        } catch let error as PDFError where !Self.unreadable.contains(error.code) {
            strictError = error
        }
        // A repairing read: the file's own cross-reference where it can be used, else rebuilt by
        // scanning; then, if what that shows cannot be written and re-read cleanly, rebuilt by
        // scanning whatever the xref says.
        let reads: [() throws -> PDFDocument] = [
            { try PDFDocument(bytes: input, mode: .tolerant(reconstruct: true), decryption: decryption)
                .withObjectStreamMembers(decryption: decryption) },
            { try PDFDocument.rebuilt(bytes: input, decryption: decryption) },
        ]
        var failures: [any Error] = []
        for read in reads {
            do {
                let tolerant = try read()
                try Self.refuseIfSigned(tolerant, strictError: strictError)
                var dropped: [PDFReference] = []
                var cutFieldLoops: [String] = []
                let rewritten = try tolerant.rewritten(repairing: true, dropped: &dropped, cutFieldLoops: &cutFieldLoops)
                let document = try PDFDocument(bytes: rewritten, mode: .strict, decryption: decryption)
                try Self.touch(document)
                if let error = try LostContent(rewrite: document, input: input, dropped: dropped).error { throw error }
                self.document = document
                var lost = dropped.isEmpty ? "every readable object kept"
                    : "\(dropped.count) unreadable object(s) left out: \(dropped.prefix(5).map { "\($0.number) \($0.generation)" }.joined(separator: ", "))"
                if let encryption = tolerant.encryption {
                    lost += "; encrypted again with the file's own key (\(encryption.methodDescription))"
                }
                if !cutFieldLoops.isEmpty {
                    lost += "; the form field tree's loop(s) cut, each field kept where it is first met: /Kids entry \(cutFieldLoops.joined(separator: ", "))"
                }
                notices = ["the input's structure can be read in more than one way (\(strictError)); it has no signatures, so it was rewritten cleanly (\(lost); one revision, \(rewritten.count) bytes) and the rewrite was signed"]
                return
            } catch let error as SigningError {
                throw error
            } catch {
                failures.append(error)
            }
        }
        if strictError.code == .notPDF { throw strictError }
        throw PDFError(strictError.code,
                       "\(strictError.reason) — the file has structural errors that a repairing read cannot get past (\(failures.last.map { "\($0)" } ?? "")); repair it first (e.g. `qpdf in.pdf out.pdf`) and sign the repaired copy",
                       offset: strictError.offset, object: strictError.object)
    }

    /// A file that carries signatures is never rewritten. A `/ByteRange` array anywhere in its
    /// bytes counts as a signature, whether or not the damaged form still reaches it (a signed
    /// file cut short, a field tree that no longer parses).
    private static func refuseIfSigned(_ document: PDFDocument, strictError: PDFError) throws {
        var signatures: Int
        do {
            signatures = try document.formFields().filter(\.isSigned).count
        } catch {
            guard byteRangeOffset(in: document.bytes) != nil else { throw error }
            signatures = 1
        }
        var unreached = ""
        if signatures == 0, let offset = byteRangeOffset(in: document.bytes) {
            signatures = 1
            unreached = " (a signature dictionary's /ByteRange at byte \(offset), which its form no longer reaches)"
        }
        guard signatures == 0 else {
            throw SigningError(.signedInputAmbiguous,
                               "the file carries \(signatures) signature(s)\(unreached) and its structure can be read in more than one way (\(strictError)); rewriting it would break those signatures, and a signature added on top would be judged FAILED by a strict verifier — ask for a clean copy from whoever signed it")
        }
    }

    /// The offset of the first `/ByteRange [` (spaces allowed before the bracket), if any.
    static func byteRangeOffset(in bytes: PDFBytes) -> Int? {
        guard bytes.count >= 11 else { return nil }
        for index in 0...(bytes.count - 11) where bytes.matches("/ByteRange", at: index) {
            var next = index + 10
            while next < bytes.count, [0x20, 0x0A, 0x0D, 0x09, 0x0C, 0x00].contains(bytes[next]) { next += 1 }
            if next < bytes.count, bytes[next] == UInt8(ascii: "[") { return index }
        }
        return nil
    }

    /// Reads what signing will read: the catalog, the page tree and the form fields.
    private static func touch(_ document: PDFDocument) throws {
        _ = try document.catalog()
        _ = try document.pages()
        _ = try document.formFields()
    }
}
