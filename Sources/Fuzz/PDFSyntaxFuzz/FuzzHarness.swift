import PDFSyntax

/// The fuzz harness of the object layer: drives one input through every public entry point of
/// PDFSyntax in every reading mode and checks the invariants that must hold whatever the bytes.
///
/// Errors (`PDFError`) are expected and fine; a crash (trap, overflow, out-of-bounds index,
/// sanitizer report), a hang, or a broken invariant is a finding. Every input is read with the
/// empty password (`FuzzCiphers`), so encrypted inputs are decrypted, not just refused. This file is compiled both
/// into the SwiftPM replayer (`main.swift`) and, with `-sanitize=fuzzer`, into the libFuzzer
/// binary that `scripts/fuzz` builds; it uses only PDFSyntax's public API.
enum FuzzHarness {
    /// Small limits so that libFuzzer is not slowed by large allocations: 4 MB per stream, 16 MB
    /// per document, and object numbers below 65,536 (a rewrite writes one xref entry for every
    /// number up to the largest, so at the default limit a tiny input means a 168 MB rewrite).
    /// The other limits are the defaults.
    static let limits = PDFLimits(maxObjectCount: 1 << 16, maxDecodedBytesPerStream: 4 << 20,
                                  maxDecodedBytesPerDocument: 16 << 20)

    /// The reading modes every input is tried in.
    static let modes: [(name: String, mode: PDFReadingMode)] = [
        ("strict", .strict),
        ("tolerant", .tolerant(reconstruct: false)),
        ("reconstruct", .tolerant(reconstruct: true)),
        ("perRevision", .strictPerRevision),
    ]

    /// What one input did: a line per mode, and the invariants it broke (empty when all is well).
    struct Report {
        var outcomes: [String] = []
        var violations: [String] = []
    }

    /// Runs one input through everything. Never throws: errors are outcomes, broken invariants
    /// are `violations`; a crash is a crash.
    static func exercise(_ bytes: [UInt8]) -> Report {
        var report = Report()
        for (name, mode) in modes {
            let document: PDFDocument
            do {
                document = try PDFDocument(bytes: bytes, mode: mode, limits: limits, decryption: FuzzCiphers.decryption)
            } catch {
                report.outcomes.append("\(name): \(describe(error))")
                if !(error is PDFError) { report.violations.append("\(name): parsing threw \(describe(error))") }
                continue
            }
            report.outcomes.append("\(name): \(walk(document, modeName: name, into: &report))")
            checkPerRevision(document, bytes: bytes, into: &report)
            checkRewrite(document, modeName: name, into: &report)
            checkIncrementalUpdate(document, modeName: name, into: &report)
        }
        return report
    }

    /// Reads everything a caller could ask of a parsed document; returns a one-line summary.
    /// Whatever is thrown must be a `PDFError`.
    static func walk(_ document: PDFDocument, modeName: String, into report: inout Report) -> String {
        var summary = ["\(document.revisions.count) revision(s)"]
        func outcome(_ label: String, _ body: () throws -> String) -> String {
            do { return "\(label) \(try body())" } catch {
                if !(error is PDFError) { report.violations.append("\(modeName): \(label) threw \(describe(error))") }
                return "\(label) \(describe(error))"
            }
        }
        summary.append(outcome("pages") { "\(try document.pages().count)" })
        summary.append(outcome("fields") { "\(try document.formFields().count)" })
        summary.append(outcome("info") { "\(try document.metadata().entries.count)" })
        summary.append(outcome("xmp") { "\(try document.xmpMetadata()?.count ?? 0)" })
        var objects = 0, streams = 0, decoded = 0, failures = 0
        for number in document.objectNumbers() {
            guard let entry = document.entry(for: number) else { continue }
            do {
                let object = try document.object(PDFReference(number, entry.generation))
                objects += 1
                if case .stream(let stream) = object {
                    streams += 1
                    if (try? document.decodedData(of: stream)) != nil { decoded += 1 }
                }
            } catch {
                failures += 1
            }
        }
        summary.append("objects \(objects) (\(failures) unreadable), streams \(streams) (\(decoded) decoded)")
        if document.revisions.count > 1 {
            summary.append(outcome("diff") { "\(try document.diff(from: 0).changed.count) changed" })
            for revision in 0..<document.latestRevision {
                _ = try? document.pages(revision: revision)
                _ = try? document.formFields(revision: revision)
            }
        }
        summary.append("\(document.warnings.count) warning(s)")
        return summary.joined(separator: ", ")
    }

    /// A full rewrite must be a file our own strict reader accepts — for a document read in any
    /// mode, since the writer produces fresh syntax — and must keep the pages a strict read found.
    static func checkRewrite(_ document: PDFDocument, modeName: String, into report: inout Report) {
        let pageCount = try? document.pages().count
        for style in [XRefStyle.table, .stream] {
            guard let rewritten = try? document.rewritten(xrefStyle: style) else { continue }
            do {
                let reread = try PDFDocument(bytes: rewritten, mode: .strict, limits: limits, decryption: FuzzCiphers.decryption)
                if document.mode.isStrict, let pageCount, (try? reread.pages().count) != pageCount {
                    report.violations.append("\(modeName): the \(style) rewrite does not keep the \(pageCount) page(s)")
                }
            } catch let error as PDFError where error.code == .limitExceeded {
                continue  // The writer may number one object past the reader's configured limit.
            } catch {
                report.violations.append("\(modeName): the \(style) rewrite does not re-parse strictly: \(describe(error))")
            }
        }
    }

    /// `.strictPerRevision` is `.strict` that records instead of throwing: with nothing recorded,
    /// strict reading must accept the file too, with the same revisions and notes.
    static func checkPerRevision(_ document: PDFDocument, bytes: [UInt8], into report: inout Report) {
        guard document.mode == .strictPerRevision, document.ambiguities.isEmpty else { return }
        do {
            let strict = try PDFDocument(bytes: bytes, mode: .strict, limits: limits, decryption: FuzzCiphers.decryption)
            if strict.revisions != document.revisions || strict.notes != document.notes {
                report.violations.append("perRevision: strict reading finds other revisions or notes")
            }
        } catch {
            report.violations.append("perRevision: no ambiguity recorded, but strict reading throws \(describe(error))")
        }
    }

    /// An incremental update appended to a strictly read file (with no ambiguity recorded) must
    /// leave a file that reads strictly, with one more revision.
    static func checkIncrementalUpdate(_ document: PDFDocument, modeName: String, into report: inout Report) {
        guard document.mode.isStrict, document.ambiguities.isEmpty else { return }
        var update = IncrementalUpdate(document: document)
        _ = update.add(.dictionary(["Type": .name("Annot"), "Contents": .string(PDFString(text: "fuzz"))]))
        if let root = document.catalogReference(), let catalog = try? document.catalog() {
            update.set(root, .dictionary(catalog))
        }
        let bytes = update.write().bytes
        do {
            let reread = try PDFDocument(bytes: bytes, mode: .strict, limits: limits, decryption: FuzzCiphers.decryption)
            if reread.revisions.count != document.revisions.count + 1 {
                report.violations.append("\(modeName): the update has \(reread.revisions.count) revisions, not \(document.revisions.count + 1)")
            }
        } catch let error as PDFError where error.code == .limitExceeded {
            return  // New objects may be numbered past the reader's configured limit.
        } catch {
            report.violations.append("\(modeName): the incremental update does not re-parse strictly: \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PDFError { return "PDFError.\(error.code) (\(error))" }
        return "non-PDFError \(type(of: error)): \(error)"
    }
}

/// libFuzzer's entry point. A broken invariant traps so that libFuzzer records the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let report = FuzzHarness.exercise(bytes)
    if let violation = report.violations.first { fatalError("invariant broken: \(violation)") }
    return 0
}
