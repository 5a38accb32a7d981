public import Foundation
import PDFSyntax

/// The files a batch keeps in its output directory besides the PDFs, and the steps that make
/// a crash at any point recoverable (docs/batch.md, "Resume"):
///
/// - `manifest.jsonl` and `errors.csv`: written once at the end, atomically, from the journal.
/// - `manifest.jsonl.partial`: the journal — every finished row appended in row order while the
///   batch runs (manifest lines and error records), so a killed run loses nothing it committed.
/// - `manifest.jsonl.previous`: on `--resume`, the usable entries of the last manifest and of an
///   interrupted run's journal merged by row, written atomically before the new journal starts.
///
/// With `--shard I/N` every name carries `-I-of-N` (`manifest-2-of-3.jsonl`), so shards can share
/// a directory.
public struct BatchFiles: Sendable {
    /// The output directory.
    public let directory: URL
    /// The final manifest (JSON Lines, row order).
    public let manifest: URL
    /// The final error report (CSV, row order).
    public let errors: URL
    /// The journal of the run in progress.
    public let journal: URL
    /// Entries kept from earlier runs while resuming.
    public let previous: URL
    /// Held while a run writes here (`BatchLock`).
    public let lock: URL

    /// The files of a batch (or of one shard of it) in `directory`.
    public init(directory: URL, shard: BatchShard?) {
        self.directory = directory
        let suffix = shard.map { "-\($0.index)-of-\($0.count)" } ?? ""
        manifest = directory.appendingPathComponent("manifest\(suffix).jsonl")
        errors = directory.appendingPathComponent("errors\(suffix).csv")
        journal = directory.appendingPathComponent("manifest\(suffix).jsonl.partial")
        previous = directory.appendingPathComponent("manifest\(suffix).jsonl.previous")
        lock = directory.appendingPathComponent(".manifest\(suffix).jsonl.lock")
    }

    /// Whether an earlier batch (finished or not) left its files here.
    var holdsEarlierBatch: Bool {
        [manifest, journal, previous].contains { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Removes temporary files a killed process left (`.NAME.PID.RANDOM.tmp` whose process is
    /// gone: a shard still running beside this one keeps its own); returns how many.
    @discardableResult
    func removeLeftoverTemporaryFiles() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed = 0
        for name in names where AtomicFileWriter.isAbandonedTemporaryName(name) {
            if unlink(directory.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Merges the manifest, an earlier `.previous` and an interrupted journal into a new
    /// `.previous` (for each row the freshest entry that produced a PDF), then drops the journal.
    /// Idempotent: a crash half-way leaves the inputs, and running it again gives the same file.
    func consolidatePrevious() throws(BatchError) {
        let sources = [journal, previous, manifest].compactMap { LineReader(url: $0) }
        guard !sources.isEmpty else { return }
        do {
            let writer = try AtomicFileWriter(url: previous)
            var heads: [RecordedLine?] = sources.map { Self.nextEntry(from: $0, after: 0) }
            while let row = heads.compactMap({ $0?.row }).min() {
                let chosen = heads.first { $0?.row == row }!!
                try writer.write(chosen.text)
                try writer.write("\n")
                for index in heads.indices where heads[index]?.row == row {
                    heads[index] = Self.nextEntry(from: sources[index], after: row)
                }
            }
            try writer.commit()
        } catch {
            throw BatchError(.io, "cannot write \(previous.path): \(error)")
        }
        unlink(journal.path)
    }

    /// The next entry with a PDF and a row above `row` (out-of-order and broken lines are skipped).
    private static func nextEntry(from reader: LineReader, after row: Int) -> RecordedLine? {
        while let text = reader.next() {
            if let line = RecordedLine(text), line.row > row, line.file != nil { return line }
        }
        return nil
    }

    /// Writes manifest.jsonl and errors.csv from the finished journal, atomically, then removes
    /// the journal and `.previous`.
    func finish() throws(BatchError) {
        do {
            let manifestWriter = try AtomicFileWriter(url: manifest)
            let errorsWriter = try AtomicFileWriter(url: errors)
            try errorsWriter.write(ErrorsCSV.header)
            if let reader = LineReader(url: journal) {
                while let text = reader.next() {
                    guard let line = RecordedLine(text) else { continue }
                    if line.file != nil {
                        try manifestWriter.write(line.text)
                        try manifestWriter.write("\n")
                    } else {
                        for problem in line.problems { try errorsWriter.write(ErrorsCSV.line(problem)) }
                    }
                }
            }
            try manifestWriter.commit()
            try errorsWriter.commit()
        } catch {
            throw BatchError(.io, "cannot write the manifest in \(directory.path): \(error)")
        }
        unlink(journal.path)
        unlink(previous.path)
    }
}

/// Lines of a file, read in chunks (memory stays flat however long the file is).
public final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false

    /// Opens the file; nil when it cannot be read.
    public init?(url: URL) {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The next line without its newline; a last line without one is returned too.
    public func next() -> String? {
        while true {
            if let end = buffer[start...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = (try? handle.read(upToCount: 1 << 16)) ?? nil
            if let chunk, !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
            } else {
                finished = true
            }
        }
    }
}

/// The journal of the run in progress: lines appended with write(2) as rows finish, so a killed
/// process loses at most the rows it had not committed; a torn last line is ignored on resume.
final class Journal {
    private let descriptor: Int32
    let url: URL

    init(url: URL) throws(BatchError) {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw BatchError(.io, "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    func append(_ line: String) throws(BatchError) {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw BatchError(.io, "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// Entries from earlier runs, looked up in row order while the CSV is read (both are sorted by
/// row, so this is a merge: one entry in memory at a time).
final class PreviousEntries {
    private let reader: LineReader?
    private var head: RecordedLine?

    init(url: URL) {
        reader = LineReader(url: url)
        head = nil
        advance()
    }

    private func advance() {
        head = nil
        while let text = reader?.next() {
            if let line = RecordedLine(text), line.file != nil {
                head = line
                return
            }
        }
    }

    /// The entry for `row`, if there is one; rows must be asked in increasing order.
    func entry(for row: Int) -> RecordedLine? {
        while let current = head, current.row < row { advance() }
        guard let current = head, current.row == row else { return nil }
        return current
    }
}
