import Countersign
import Foundation

/// `-` as a file name: standard input where a file is read, standard output where one is written.
enum StandardStreams {
    static let name = "-"

    /// The bytes of `path`, or of standard input for `-`; a missing file is exit 66.
    static func read(_ path: String, what: String) throws -> Data {
        if path == name { return FileHandle.standardInput.readDataToEndOfFile() }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(ExitStatus.noInput, file: path, "no such file (\(what))", todo: "check the path")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw CLIError(ExitStatus.noInput, file: path, "is a folder, not a file (\(what))", todo: "give the file's path")
        }
        if let data = FileManager.default.contents(atPath: path) { return data }
        // A pipe (`<(command)`, a FIFO) has no size to read up to: read it to its end instead.
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            if let data = try? handle.readToEnd() { return data }
        }
        throw CLIError(ExitStatus.ioError, file: path, "cannot read \(what)", todo: "check its permissions")
    }

    /// Writes `parts` to `path` atomically, or to standard output for `-`.
    static func write(_ parts: [any ContiguousBytes], to path: String) throws {
        if path == name {
            for part in parts { part.withUnsafeBytes { writeStandardOutput(Array($0)) } }
            return
        }
        try AtomicFile.write(parts: parts, to: URL(fileURLWithPath: path))
    }

    /// For library calls that need a file: standard input copied to a private temporary file
    /// (removed by `cleanup`), or `path` itself.
    static func spool(_ path: String, suffix: String, what: String) throws -> (url: URL, cleanup: () -> Void) {
        guard path == name else {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError(ExitStatus.noInput, file: path, "no such file (\(what))", todo: "check the path")
            }
            return (URL(fileURLWithPath: path), {})
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("countersign-stdin-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let url = directory.appendingPathComponent("stdin\(suffix)")
            try FileHandle.standardInput.readDataToEndOfFile().write(to: url)
            return (url, { try? FileManager.default.removeItem(at: directory) })
        } catch {
            throw CLIError(ExitStatus.cannotCreate, file: directory.path, "cannot keep standard input in a temporary file: \(error.localizedDescription)",
                           todo: "set TMPDIR to a writable folder")
        }
    }

    /// A display name for `path` in messages (`-` is standard input).
    static func display(_ path: String) -> String { path == name ? "<stdin>" : path }
}

/// The `--date` of render and generate: ISO 8601 (a date, or a time with a zone), checked before
/// any work, as a usage error (64) in both.
func validateDocumentDate(_ date: String?) throws {
    guard let date else { return }
    let pattern = /\d{4}-\d{2}-\d{2}(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))?)?/
    guard let match = date.wholeMatch(of: pattern), CalendarDate(iso: date.prefix(10)) != nil else {
        throw ValidationError("--date must be ISO 8601, e.g. 2025-03-01 or 2025-03-01T09:00:00Z; got '\(date)'.")
    }
    // The clock's own ranges, so 25:00 or +99:00 is a usage error here rather than every row's failure.
    let limits: [(Substring?, Int, String)] = [(match.1, 23, "hour"), (match.2, 59, "minute"), (match.3, 60, "second"),
                                               (match.4, 14, "offset's hours"), (match.5, 59, "offset's minutes")]
    for (text, maximum, what) in limits {
        if let text, let value = Int(text), value > maximum {
            throw ValidationError("--date: the \(what) \(text) is out of range (at most \(maximum)); got '\(date)'.")
        }
    }
}

import ArgumentParser

/// While a long command runs, Ctrl-C (SIGINT) or SIGTERM prints what to do next and exits as
/// the signal would have (128 + its number), instead of vanishing without a word.
/// A signal the process was started with ignored (a background job of a script) stays ignored.
final class InterruptionNotice {
    private var handled: [(number: Int32, source: any DispatchSourceSignal)] = []

    init(message: String) {
        for number in [SIGINT, SIGTERM] {
            let previous = signal(number, SIG_IGN)
            // C function pointers are not Equatable: compare their addresses.
            guard unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) else { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\ncountersign: \(message)\n".utf8))
                _exit(128 + number)
            }
            source.resume()
            handled.append((number, source))
        }
    }

    /// Puts the default actions back on the signals it took.
    func cancel() {
        for (number, source) in handled {
            source.cancel()
            signal(number, SIG_DFL)
        }
        handled = []
    }
}
