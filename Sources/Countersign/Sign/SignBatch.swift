public import Crypto
public import Foundation
import Batch
import Signing
import Synchronization
import Typesetting

/// Signs every PDF in a directory: the key parsed once, one signer (fonts, pango) per worker,
/// each output written atomically, a manifest in input order, failures listed — one bad file
/// never stops the batch.
public struct SignBatch: Sendable {
    public struct Summary: Sendable, CustomStringConvertible {
        public var signed: Int
        public var failed: Int
        public var elapsed: TimeInterval
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
        let workerCount = min(workers, max(1, names.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            var signer: PDFSigner? = nil
            var setupError: String? = nil
            do {
                signer = try PDFSigner(identity: identity, options: options, timestampClient: timestampClient)
            } catch {
                setupError = "\(error)"
            }
            while true {
                let index: Int = next.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < names.count else { break }
                let name = names[index]
                var outcome = Outcome(input: name)
                do {
                    guard let signer else { throw SigningError(.badPlacement, setupError ?? "no signer") }
                    let original = try PDFBytes(mappingFile: input.appendingPathComponent(name).path)
                    let signed = try signer.sign(original, request: request)
                    try AtomicFile.write(parts: [signed.original, signed.appended], to: output.appendingPathComponent(name))
                    var hasher = Digest(.sha256)
                    signed.original.withUnsafeBytes { hasher.update($0) }
                    hasher.update(signed.appended)
                    outcome.output = name
                    outcome.sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
                    outcome.bytes = signed.count
                } catch {
                    outcome.error = "\(error)"
                }
                let finished = outcome
                outcomes.withLock { $0[index] = finished }
                progress?.advance(failed: outcome.error != nil)
            }
        }
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
        try AtomicFile.write(manifest, to: output.appendingPathComponent("manifest.jsonl"))
        let failed = results.filter { $0.error != nil }
        for failure in failed {
            FileHandle.standardError.write(Data("countersign: \(failure.input): \(failure.error ?? "")\n".utf8))
        }
        return Summary(signed: results.count - failed.count, failed: failed.count, elapsed: Date().timeIntervalSince(start))
    }
}
