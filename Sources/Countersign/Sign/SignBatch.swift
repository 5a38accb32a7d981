public import Crypto
public import Foundation
import Batch
import PDFSyntax
public import Signing
import Synchronization
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
        public var failed: Int
        public var elapsed: TimeInterval
        /// Phases summed over the documents (write and sync on the writer thread, overlapped
        /// with signing).
        public var timings: SigningTimings
        public var description: String {
            "signed \(signed), failed \(failed), \(String(format: "%.1f", elapsed)) s, "
                + "\(String(format: "%.1f", Double(signed) / max(elapsed, 0.001))) docs/s"
        }
    }

    public let identity: SigningIdentity
    public let options: CMSSigner.Options
    public let timestampClient: TimestampClient?
    public let request: SignatureRequest
    public let workers: Int
    /// Files per durable group, and the bytes after which a group is committed early.
    public var groupSize = 64
    public var groupBytes = 64 << 20

    public init(identity: SigningIdentity, options: CMSSigner.Options, timestampClient: TimestampClient?,
                request: SignatureRequest, workers: Int) {
        self.identity = identity
        self.options = options
        self.timestampClient = timestampClient
        self.request = request
        self.workers = max(1, workers)
    }

    private struct Outcome: Sendable {
        var input: String
        var output: String?
        var sha256: String?
        var bytes: Int?
        var error: String?
    }

    public func run(input: URL, output: URL, progress: ProgressReporter?) throws -> Summary {
        let start = Date()
        // Every worker's signer typesets appearances: a missing library fails the batch once,
        // before any output, not every document alike.
        try Typesetter.requireSystemLibraries()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: input.path)
                .filter { $0.lowercased().hasSuffix(".pdf") }.sorted()
        } catch {
            throw AtomicFileError(path: input.path, reason: "cannot list the directory: no such directory or no permission")
        }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
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
                let signed: PDFSigner.SignedFile
                do {
                    guard let signer else { throw SigningError(.badPlacement, setupError ?? "no signer") }
                    let original = try PDFBytes(mappingFile: inputPrefix + name)
                    signed = try signer.sign(original, request: request, fileSHA256: true)
                } catch {
                    finish(index, Outcome(input: name, error: "\(error)"))
                    continue
                }
                timings += signed.timings
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
        for result in results {
            var object: [String: JSONValue] = ["input": .string(result.input)]
            if let out = result.output { object["output"] = .string(out) }
            if let hash = result.sha256 { object["sha256"] = .string(hash) }
            if let bytes = result.bytes { object["bytes"] = .int(bytes) }
            object["status"] = .string(result.error == nil ? "signed" : "failed")
            if let error = result.error { object["error"] = .string(error) }
            manifest += Array(JSONValue.object(object).rendered(pretty: false).utf8) + [0x0A]
        }
        let manifestTiming = try AtomicFile.write(manifest, to: output.appendingPathComponent("manifest.jsonl"))
        let failed = results.filter { $0.error != nil }
        for failure in failed {
            FileHandle.standardError.write(Data("countersign: \(failure.input): \(failure.error ?? "")\n".utf8))
        }
        var timings = signingTimings.withLock { $0 }
        timings.write = written.write + manifestTiming.write
        timings.sync = written.sync + manifestTiming.sync
        return Summary(signed: results.count - failed.count, failed: failed.count,
                       elapsed: Date().timeIntervalSince(start), timings: timings)
    }
}

