public import CountersignCrypto
public import Foundation
import Batch
import PDFSyntax
public import Signing
import Synchronization
import Templates
import Typesetting

/// Signs every PDF in a directory: the key parsed once, one signer (fonts, pango) per worker,
/// a manifest in input order, failures listed — one bad file never stops the batch.
///
/// Durability is a group commit: the signing workers hand finished files to one writer thread,
/// which writes each to a temporary file and, every `groupSize` files (or `groupBytes`), makes the
/// group durable with one sync, renames the files into place and fsyncs the directory once
/// (`GroupCommitQueue`). A final name only ever holds a complete, durable file, and the manifest
/// lists as signed only files whose group committed. `workers` counts signing workers; the
/// writer thread is extra and mostly waits on the disk.
public struct SignBatch: Sendable {
    public struct Summary: Sendable, CustomStringConvertible {
        public var signed: Int
        /// Documents whose signed file from an earlier run was kept (`.resume`).
        public var kept: Int
        public var failed: Int
        public var elapsed: TimeInterval
        /// Phases summed over the documents (write and sync on the writer thread, overlapped
        /// with signing).
        public var timings: SigningTimings
        public var description: String {
            "signed \(signed), " + (kept > 0 ? "kept \(kept), " : "") + "failed \(failed), \(String(format: "%.1f", elapsed)) s, "
                + "\(String(format: "%.1f", Double(signed) / max(elapsed, 0.001))) docs/s"
        }
    }

    public let identity: SigningIdentity
    public let options: CMSSigner.Options
    public let timestampClient: TimestampClient?
    public let request: SignatureRequest
    public let workers: Int
    /// Per-document audit events (each document gets its own Certificate of Completion).
    public var audits: BatchAudits?
    /// What to do when the output directory already holds files.
    public var existingOutput: ExistingOutput = .refuse
    /// Files per durable group, and the bytes after which a group is committed early.
    public var groupSize = 64
    public var groupBytes = 64 << 20
    /// How B-LT/B-LTA signatures gather their validation data (fetch timeouts, `/VRI`).
    public var longTerm = LongTermExtender()

    public init(identity: SigningIdentity, options: CMSSigner.Options, timestampClient: TimestampClient?,
                request: SignatureRequest, workers: Int) {
        self.identity = identity
        self.options = options
        self.timestampClient = timestampClient
        self.request = request
        self.workers = max(1, workers)
    }

    /// An output directory that already holds files: refused (the default), resumed (documents
    /// whose signed file still matches the manifest are kept, the rest signed), or overwritten.
    public enum ExistingOutput: Sendable {
        case refuse, resume, overwrite
    }

    fileprivate struct Outcome: Sendable {
        var input: String
        var output: String?
        var sha256: String?
        var bytes: Int?
        var error: String?
        var kept = false
    }

    public func run(input: URL, output: URL, progress: ProgressReporter?) throws -> Summary {
        let start = Date()
        // Every worker's signer typesets appearances (unless the signature is invisible without an
        // audit page): a missing library fails the batch once, before any output, not every document alike.
        if request.needsTypesetting { try Typesetter.requireSystemLibraries() }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: input.path)
                .filter { $0.lowercased().hasSuffix(".pdf") }.sorted()
        } catch {
            throw BatchError(FileManager.default.fileExists(atPath: input.path) ? .io : .missingInput,
                             "\(input.path): cannot list the directory: no such directory or no permission")
        }
        let kept = try prepareOutput(input: input, output: output)
        let trails = try audits?.load()
        if let trails, case let unmatched = trails.unmatched(names), !unmatched.isEmpty {
            throw SigningError(.badAudit, "audit events name documents that are not in \(input.path): "
                               + unmatched.joined(separator: ", ") + " — check the file names")
        }
        progress?.setTotal(names.count)
        let next = Mutex(0)
        let outcomes = Mutex([Outcome?](repeating: nil, count: names.count))
        let signingTimings = Mutex(SigningTimings())
        // Finished files wait for the writer thread at most two groups deep (each holds its mapped input).
        let writer = GroupCommitQueue(directory: output, groupSize: groupSize, groupBytes: groupBytes,
                                      maxPending: 2 * groupSize)

        @Sendable func finish(_ index: Int, _ outcome: Outcome) {
            outcomes.withLock { $0[index] = outcome }
            progress?.advance(failed: outcome.error != nil)
        }

        let inputPrefix = input.path.hasSuffix("/") ? input.path : input.path + "/"
        let workerCount = min(workers, max(1, names.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            var signer: PDFSigner? = nil
            var setupError: String? = nil
            do {
                signer = try PDFSigner(identity: identity, options: options, timestampClient: timestampClient)
                signer?.longTerm = longTerm
            } catch {
                setupError = "\(error)"
            }
            var timings = SigningTimings()
            while true {
                let index: Int = next.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < names.count else { break }
                let name = names[index]
                if let previous = kept[name] {
                    finish(index, previous)
                    continue
                }
                let signed: PDFSigner.SignedFile
                do {
                    guard let signer else { throw SigningError(.badPlacement, setupError ?? "no signer") }
                    var documentRequest = request
                    if let trails { documentRequest.audit = try trails.trail(for: name) }
                    let original = try PDFBytes(mappingFile: inputPrefix + name)
                    signed = try signer.sign(original, request: documentRequest, fileSHA256: true)
                } catch {
                    finish(index, Outcome(input: name, error: "\(error)"))
                    continue
                }
                timings += signed.timings
                for warning in signed.warnings {
                    FileHandle.standardError.write(Data("countersign: \(name): warning: \(warning)\n".utf8))
                }
                let signedOutcome = Outcome(input: name, output: name, sha256: signed.sha256.map(\.hexString),
                                            bytes: signed.count)
                writer.submit([signed.original, signed.appended], as: name) { failure in
                    guard let failure else { return finish(index, signedOutcome) }
                    finish(index, Outcome(input: name, error: AtomicFileError(
                        path: output.appendingPathComponent(name).path, reason: failure).description))
                }
            }
            let finished = timings
            signingTimings.withLock { $0 += finished }
        }
        // The last group, after every staged file.
        let written = writer.close()
        progress?.finish()
        let results = outcomes.withLock { $0 }.compactMap { $0 }
        var manifest: [UInt8] = []
        for (index, result) in results.enumerated() {
            manifest += Array(Self.manifestLine(row: index + 1, result).utf8) + [0x0A]
        }
        let manifestTiming = try AtomicFile.write(manifest, to: output.appendingPathComponent("manifest.jsonl"))
        let failed = results.filter { $0.error != nil }
        for failure in failed {
            FileHandle.standardError.write(Data("countersign: \(failure.input): \(failure.error ?? "")\n".utf8))
        }
        let keptCount = results.filter(\.kept).count
        var timings = signingTimings.withLock { $0 }
        timings.write = written.write + manifestTiming.write
        timings.sync = written.sync + manifestTiming.sync
        return Summary(signed: results.count - failed.count - keptCount, kept: keptCount, failed: failed.count,
                       elapsed: Date().timeIntervalSince(start), timings: timings)
    }
}


extension SignBatch {
    /// Checks the output directory against `existingOutput` and creates it; with `.resume`, the
    /// documents whose signed file still has the SHA-256 the earlier manifest recorded.
    fileprivate func prepareOutput(input: URL, output: URL) throws -> [String: Outcome] {
        let inputPath = input.resolvingSymlinksInPath().standardizedFileURL.path
        let outputPath = output.resolvingSymlinksInPath().standardizedFileURL.path
        if inputPath == outputPath {
            throw BatchError(.existingBatch, "\(output.path): the output directory is the input directory; signed files "
                             + "would replace the originals — choose another --out")
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: output.path))?.filter { !$0.hasPrefix(".") } ?? []
        var kept: [String: Outcome] = [:]
        if !existing.isEmpty {
            switch existingOutput {
            case .refuse:
                throw BatchError(.existingBatch, "\(output.path) already holds \(existing.count) file(s) — give --resume to "
                                 + "keep what was signed and sign the rest, --force to sign everything again, or another --out")
            case .overwrite:
                break
            case .resume:
                let manifest = output.appendingPathComponent("manifest.jsonl")
                let lines = FileManager.default.contents(atPath: manifest.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
                for line in lines.split(separator: "\n") {
                    guard case .object(let entry)? = try? TemplateValue.fromJSON(String(line)),
                          case .string("signed")? = entry["status"], case .string(let file)? = entry["file"],
                          case .string(let name)? = entry["input"], case .string(let sha)? = entry["sha256"],
                          let bytes = try? PDFBytes(mappingFile: output.appendingPathComponent(file).path),
                          DigestAlgorithm.sha256.hash(bytes).hexString == sha else { continue }
                    kept[name] = Outcome(input: name, output: file, sha256: sha, bytes: bytes.count, kept: true)
                }
            }
        }
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError(path: output.path, reason: "cannot create the output directory: \(error.localizedDescription)")
        }
        // What a killed run left half-written (its process gone) goes, as `generate --resume` does.
        if existingOutput != .refuse {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
            where AtomicFileWriter.isAbandonedTemporaryName(name) {
                unlink(output.appendingPathComponent(name).path)
            }
        }
        return kept
    }

    /// A manifest line; keys in the order `generate`'s manifest uses (row, file, …, bytes, sha256),
    /// then what only signing has.
    fileprivate static func manifestLine(row: Int, _ result: Outcome) -> String {
        var members: [(String, JSONValue)] = [("row", .int(row))]
        if let out = result.output { members.append(("file", .string(out))) }
        members.append(("input", .string(result.input)))
        if let bytes = result.bytes { members.append(("bytes", .int(bytes))) }
        if let hash = result.sha256 { members.append(("sha256", .string(hash))) }
        members.append(("status", .string(result.error == nil ? "signed" : "failed")))
        if let error = result.error { members.append(("error", .string(error))) }
        return "{" + members.map { JSONValue.string($0.0).rendered(pretty: false) + ":" + $0.1.rendered(pretty: false) }
            .joined(separator: ",") + "}"
    }
}

extension SignatureRequest {
    /// Whether signing draws anything (a visible appearance or an audit page), and so needs fonts
    /// and the typesetting libraries.
    var needsTypesetting: Bool {
        if audit != nil { return true }
        if case .invisible = placement { return false }
        return true
    }
}
