import Foundation
import TestSupport

/// pyHanko's own test corpus (its PyPI source distribution, fetched by `scripts/peer-corpus`
/// into a cache outside git) and pyHanko's verdict on each signature in it
/// (`scripts/lib/pyhanko_judge.py`, through pyHanko's Python API in the venv).
enum PeerCorpus {
    /// The corpus's test-data directory (with `pdf/` and `crypto/`), or why there is none.
    static let data: Result<URL, PeerCorpusUnavailable> = {
        let script = TestEnvironment.root.appendingPathComponent("scripts/peer-corpus").path
        guard let result = try? runCommand(script, [], timeout: 600) else {
            return .failure(PeerCorpusUnavailable(reason: "scripts/peer-corpus could not be run"))
        }
        guard result.status == 0 else {
            return .failure(PeerCorpusUnavailable(reason: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return .success(URL(fileURLWithPath: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }()

    static var available: Bool {
        if case .success = data { return OtherValidators.pyhankoAvailable }
        return false
    }

    /// Why the suite is skipped, for its trait.
    static var unavailableReason: String {
        switch data {
        case .failure(let error): "pyHanko's test corpus cannot be fetched (\(error.reason)); run scripts/peer-corpus"
        case .success: "pyHanko is not installed (set COUNTERSIGN_VENV or run scripts/test)"
        }
    }

    /// The signed PDFs of the corpus (every file with a `/ByteRange`), relative to `pdf/`.
    static func signedFiles(in data: URL) throws -> [String] {
        let root = data.appendingPathComponent("pdf")
        let marker = Data("/ByteRange".utf8)
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "pdf", let bytes = try? Data(contentsOf: url), bytes.range(of: marker) != nil else { continue }
            files.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)))
        }
        return files.sorted()
    }

    /// pyHanko's judgement of one file.
    struct Judgement: Decodable, Sendable {
        struct Signature: Decodable, Sendable {
            var field: String?
            var intact: Bool?
            var valid: Bool?
            var trusted: Bool?
            var coverage: String?
            var modification: String?
            var docmdp_ok: Bool?
            var bottom_line: Bool?
            /// The time pyHanko judged this signature at (seconds since 1970): the signature
            /// timestamp's time, else the signer's claimed time.
            var moment: Double?
            var error: String?
        }

        var path: String
        var anchors: [String]
        var signatures: [Signature]
        var error: String?
    }

    /// Runs pyHanko on `files` (relative to `pdf/`), trusting the test PKI's roots.
    static func judge(_ files: [String], in data: URL) throws -> [String: Judgement] {
        let python = TestEnvironment.venv.appendingPathComponent("bin/python").path
        let script = TestEnvironment.root.appendingPathComponent("scripts/lib/pyhanko_judge.py").path
        let paths = files.map { data.appendingPathComponent("pdf").appendingPathComponent($0).path }
        let result = try runCommand(python, [script, data.appendingPathComponent("crypto").path] + paths, timeout: 900)
        guard result.status == 0 else { throw PeerCorpusUnavailable(reason: "pyhanko_judge.py failed: \(result.stderr.suffix(2000))") }
        let judgements = try JSONDecoder().decode([Judgement].self, from: result.stdoutData)
        return Dictionary(uniqueKeysWithValues: zip(files, judgements))
    }
}

struct PeerCorpusUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
