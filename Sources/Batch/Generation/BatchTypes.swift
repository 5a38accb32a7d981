public import Foundation
import CountersignCrypto
import Templates

/// `--shard I/N`: this process takes the rows with `(row - 1) % N == I - 1`. Interleaved rather
/// than contiguous so that a shard needs no row count up front (the CSV is a stream) and every
/// shard gets a fair mix of short and long documents.
public struct BatchShard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based shard number and the number of shards.
    public let index: Int
    public let count: Int

    /// A shard; nil unless 1 ≤ index ≤ count.
    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    /// Whether this shard takes data row `row` (1-based).
    public func contains(row: Int) -> Bool { (row - 1) % count == index - 1 }

    public var description: String { "\(index)/\(count)" }
}

/// What `countersign generate` was asked to do.
public struct BatchConfiguration: Sendable {
    /// The CSV export and its text encoding.
    public var csv: URL
    public var encoding: CSVEncoding
    /// The mapping (nil: fields read the columns of the same names) and its path for messages.
    public var mapping: BatchMapping?
    public var mappingPath: String
    /// The output directory (created if missing).
    public var output: URL
    /// The `--name` pattern (nil: `NamePattern.defaultPattern(for:)`).
    public var namePattern: String?
    /// Worker threads, each with its own typesetter.
    public var workers: Int
    /// Reuse outputs of earlier runs whose file still matches its manifest hash.
    public var resume: Bool
    /// This process's share of the rows (nil: all of them).
    public var shard: BatchShard?
    /// The document date (ISO 8601); fixes the output bytes.
    public var date: String?
    /// Characters no shipped font has are warnings (the row is generated without them) instead
    /// of errors.
    public var allowMissingGlyphs = false

    /// A configuration; `workers` defaults to the number of cores.
    public init(csv: URL, encoding: CSVEncoding = .utf8, mapping: BatchMapping? = nil, mappingPath: String = "mapping",
                output: URL, namePattern: String? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                resume: Bool = false, shard: BatchShard? = nil, date: String? = nil) {
        self.csv = csv; self.encoding = encoding; self.mapping = mapping; self.mappingPath = mappingPath
        self.output = output; self.namePattern = namePattern; self.workers = max(1, workers); self.resume = resume
        self.shard = shard; self.date = date
    }
}

/// Where a running batch is, for a progress display.
public struct BatchProgress: Sendable {
    /// Rows of this shard finished (written, kept or failed), and how many of them failed.
    public var done: Int
    public var failed: Int
    /// The share of the CSV file read so far (0…1): the CSV is a stream, so there is no row total.
    public var inputFraction: Double
}

/// Something that shows progress; called from worker threads, in row order.
public protocol BatchProgressObserver: Sendable {
    func batchProgressed(_ progress: BatchProgress)
    func batchFinished()
}

/// The outcome of a batch.
public struct BatchSummary: Sendable, CustomStringConvertible {
    /// Rows that became PDFs in this run, rows whose PDF from an earlier run was kept (`--resume`),
    /// and rows that failed (each with records in errors.csv).
    public var generated: Int
    public var kept: Int
    public var failed: Int
    /// Rows of other shards that this run read but left alone.
    public var otherShards: Int
    /// Wall-clock time of the run.
    public var elapsed: TimeInterval
    /// The first few problems, for the terminal.
    public var firstProblems: [RowProblem]
    /// Rows generated with warnings (characters no font has, with `allowMissingGlyphs`), and the
    /// first few warnings.
    public var warnedRows: Int = 0
    public var firstWarnings: [RowProblem] = []
    /// Lines of the CSV an unclosed quote read into a failed row: with them the counts add up to
    /// the file's records (ok + failed + absorbed + other shards' rows).
    public var absorbedLines: Int = 0
    /// Where the manifest and the error report are.
    public var files: BatchFiles

    /// Rows with a PDF.
    public var ok: Int { generated + kept }
    /// Generated documents per second.
    public var rate: Double { Double(generated) / max(elapsed, 0.001) }

    public var description: String {
        var text = "ok \(ok)"
        if kept > 0 { text += " (generated \(generated), kept \(kept) from the earlier run)" }
        text += ", failed \(failed)"
        if absorbedLines > 0 {
            text += " (and \(absorbedLines) line\(absorbedLines == 1 ? "" : "s") read into a failed row by an unclosed quote)"
        }
        if otherShards > 0 { text += ", \(otherShards) rows left to other shards" }
        return text + ", \(String(format: "%.1f", elapsed)) s, \(String(format: "%.1f", rate)) docs/s"
    }
}

/// The fingerprint of everything that decides a row's PDF bytes: the template (and its clauses),
/// the mapping file, the document date and the row's mapped values. Resuming reuses a PDF only
/// when its row's fingerprint is unchanged.
enum InputFingerprint {
    static func hex(values: [String: TemplateValue], fields: [FieldDeclaration], templateSHA: String, mappingSHA: String,
                    date: String?) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        func text(_ string: String) {
            let utf8 = Array(string.utf8)
            bytes += Array(String(utf8.count).utf8) + [0x3A] + utf8
        }
        text("countersign-batch-1")
        text(templateSHA)
        text(mappingSHA)
        text(date ?? "")
        func encode(_ value: TemplateValue) {
            switch value {
            case .null: bytes.append(UInt8(ascii: "n"))
            case .string(let string): bytes.append(UInt8(ascii: "s")); text(string)
            case .number(let number): bytes.append(UInt8(ascii: "d")); text(number.description)
            case .bool(let flag): bytes.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .date(let date): bytes.append(UInt8(ascii: "D")); text(date.description)
            case .datetime(let instant): bytes.append(UInt8(ascii: "T")); text(String(instant.timeIntervalSince1970.bitPattern))
            case .list(let items):
                bytes.append(UInt8(ascii: "[")); text(String(items.count))
                items.forEach(encode)
            case .object(let members):
                bytes.append(UInt8(ascii: "{")); text(String(members.count))
                for key in members.keys.sorted() {
                    text(key)
                    encode(members[key]!)
                }
            }
        }
        for field in fields {
            text(field.name)
            encode(values[field.name] ?? .null)
        }
        return DigestAlgorithm.sha256.hash(bytes).hexString
    }
}
