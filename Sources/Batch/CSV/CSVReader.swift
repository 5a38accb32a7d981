import InputChecks
public import Foundation

/// The text encoding of a CSV file.
public enum CSVEncoding: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
}

/// One data record of a CSV file.
public struct CSVRecord: Sendable, Hashable {
    /// 1-based data row (the header is row 0).
    public var row: Int
    /// 1-based physical line the record starts on.
    public var line: Int
    public var fields: [String]
}

/// A record that could not be read; reading goes on with the next one.
public struct CSVRowError: Error, Sendable, Hashable, CustomStringConvertible {
    public var row: Int
    public var line: Int
    /// The column the problem is in (1-based), when known.
    public var column: Int?
    public var message: String
    /// Non-empty lines after the record's start that an unclosed quote read into it: records of
    /// the file that are not rows of their own (a summary counts them, so its counts add up).
    public var absorbedLines = 0
    public var description: String {
        "row \(row) (line \(line)\(column.map { ", column \($0)" } ?? "")): \(message)"
    }
}

/// Reads RFC 4180 CSV as a stream: UTF-8 BOM, CRLF or LF, quoted fields with commas, quotes and
/// newlines, empty trailing columns. A bad record (ragged, undecodable, NUL byte, open quote) is
/// returned as a `CSVRowError` and reading continues — one bad row never ends a batch.
public final class CSVReader {
    public let header: [String]
    private let source: ChunkedBytes
    private let encoding: CSVEncoding
    private let otherEncodingAdvice: String
    private var row = 0
    private var line = 1

    /// Bytes of the file consumed so far (for progress against the file size).
    public var bytesConsumed: Int { source.consumed }

    /// The longest record kept in memory; a longer one (usually an unclosed quote swallowing the
    /// rest of the file) is read to its end but reported as an error, so memory stays bounded.
    public static let maximumRecordBytes = 16 << 20

    /// What a value that is not UTF-8 is told to do, by default the command line's flag.
    public static let commandLineAdvice = "an export from Excel on Windows is often windows-1252: try --encoding windows-1252"

    /// Opens a file and reads its header row. `otherEncodingAdvice` is what a value that is not
    /// valid UTF-8 is told to do (the command line's flag, or a service's own way).
    public init(url: URL, encoding: CSVEncoding = .utf8, chunkSize: Int = 1 << 16,
                otherEncodingAdvice: String = CSVReader.commandLineAdvice) throws {
        self.otherEncodingAdvice = otherEncodingAdvice
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            throw CSVFileError(path: url.path, message: "is a folder, not a CSV file; name the CSV file itself", cannotOpen: true)
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw CSVFileError(path: url.path, message: "cannot open the file (does it exist and is it readable?)", cannotOpen: true)
        }
        source = ChunkedBytes(handle: handle, chunkSize: chunkSize)
        self.encoding = encoding
        // A UTF-8 byte-order mark says how the file is written: read as windows-1252, every
        // accented letter would become two or three others ("CafÃ©"), silently.
        if source.skipUTF8BOM(), encoding != .utf8 {
            throw CSVFileError(path: url.path, message: "the file starts with a UTF-8 byte-order mark, so it is UTF-8 text, not "
                               + "\(encoding.rawValue); leave out --encoding \(encoding.rawValue)")
        }
        var lineCounter = 1
        guard let raw = try CSVReader.readRawRecord(from: source, line: &lineCounter) else {
            throw CSVFileError(path: url.path, message: "the file is empty: a header row is required")
        }
        line = lineCounter
        if let problem = raw.problem {
            throw CSVFileError(path: url.path, message: "the header row is unreadable: \(problem)")
        }
        var names: [String] = []
        for (index, bytes) in raw.fields.enumerated() {
            if index == 0, let wide = CSVReader.wideEncoding(startingWith: bytes) {
                throw CSVFileError(path: url.path, message: "the file is \(wide) (it starts with its byte-order mark); "
                                   + "save or export it as UTF-8 CSV (in Excel: \"CSV UTF-8\")")
            }
            // A NUL in the header is what UTF-16 or UTF-32 text without a byte-order mark looks
            // like read a byte at a time (every ASCII letter followed or preceded by zeros).
            if bytes.contains(0) {
                throw CSVFileError(path: url.path, message: "header column \(index + 1) contains NUL bytes: the file looks like UTF-16 "
                                   + "or UTF-32 text without a byte-order mark; save or export it as UTF-8 CSV (in Excel: \"CSV UTF-8\")")
            }
            guard let decoded = CSVReader.decode(bytes, encoding) else {
                throw CSVFileError(path: url.path, message: "header column \(index + 1) is not valid \(encoding.rawValue)")
            }
            if let utf8 = CSVReader.utf8Misread(bytes, as: encoding) {
                throw CSVFileError(path: url.path, message: "header column \(index + 1) is UTF-8 text ('\(utf8)'), which read as "
                                   + "\(encoding.rawValue) would be '\(decoded)': the file is UTF-8; leave out --encoding \(encoding.rawValue)")
            }
            let name = decoded.trimmingCharacters(in: .whitespaces)
            if let problem = CSVReader.invisibleCharacter(in: name) {
                throw CSVFileError(path: url.path, message: "header column \(index + 1) has \(problem); remove it, or the column's name "
                                   + "would look like one it is not")
            }
            names.append(name)
        }
        header = names
    }

    /// The text `bytes` are in UTF-8, when they are read as another encoding but have letters
    /// beyond ASCII that are valid UTF-8: text really written in windows-1252 almost never is
    /// (an accented capital followed by a quote mark or a dash), and UTF-8 read as windows-1252
    /// silently turns "Zoë" into "ZoÃ«".
    static func utf8Misread(_ bytes: [UInt8], as encoding: CSVEncoding) -> String? {
        guard encoding != .utf8, bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The byte-order mark of UTF-32 or UTF-16 text at the start of `bytes` (UTF-32LE's starts
    /// with UTF-16LE's, so it is tried first).
    static func wideEncoding(startingWith bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE, 0, 0]) { return "UTF-32 (little-endian)" }
        if bytes.starts(with: [0, 0, 0xFE, 0xFF]) { return "UTF-32 (big-endian)" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16 (little-endian)" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16 (big-endian)" }
        return nil
    }

    /// A character in a column's name that prints as nothing (a second byte-order mark, a
    /// zero-width space), described with its code point and place, or nil.
    static func invisibleCharacter(in name: String) -> String? {
        for (offset, scalar) in name.unicodeScalars.enumerated()
        where HiddenCharacters.isInvisible(scalar) || HiddenCharacters.isHidden(scalar, allowingLineBreaks: false) {
            let code = scalar.codePoint
            let what = scalar.value == 0xFEFF ? "a byte-order mark (\(code))" : "an invisible character (\(code))"
            return "\(what) at character \(offset + 1)" + (scalar.value == 0xFEFF && offset == 0 ? " (the file starts with two byte-order marks)" : "")
        }
        return nil
    }

    /// The next record, a row error, or nil at the end of the file.
    public func next() throws -> Result<CSVRecord, CSVRowError>? {
        let startLine = line
        guard let raw = try CSVReader.readRawRecord(from: source, line: &line) else { return nil }
        row += 1
        if let problem = raw.problem {
            var error = CSVRowError(row: row, line: startLine, column: raw.problemColumn, message: problem)
            error.absorbedLines = raw.absorbedLines
            return .failure(error)
        }
        var fields: [String] = []
        fields.reserveCapacity(raw.fields.count)
        for (index, bytes) in raw.fields.enumerated() {
            if bytes.contains(0) {
                return .failure(CSVRowError(row: row, line: startLine, column: index + 1,
                                            message: "the value contains a NUL byte; remove it from the export"))
            }
            guard let text = CSVReader.decode(bytes, encoding) else {
                return .failure(CSVRowError(row: row, line: startLine, column: index + 1,
                                            message: "the value is not valid \(encoding.rawValue) text " + (encoding == .utf8
                                                ? "(\(otherEncodingAdvice))"
                                                : "(0x81, 0x8D, 0x8F, 0x90 and 0x9D mean nothing in it): check the encoding the file was saved in")))
            }
            if let utf8 = CSVReader.utf8Misread(bytes, as: encoding) {
                return .failure(CSVRowError(row: row, line: startLine, column: index + 1,
                                            message: "the value is UTF-8 text ('\(utf8)'), which read as \(encoding.rawValue) would be "
                                                + "'\(text)': the file is UTF-8; leave out --encoding \(encoding.rawValue)"))
            }
            fields.append(text)
        }
        // Extra columns are fine only when empty (exports pad rows with commas); fewer is ragged.
        if fields.count < header.count {
            return .failure(CSVRowError(row: row, line: startLine, column: nil,
                                        message: "the row has \(fields.count) field\(fields.count == 1 ? "" : "s") but the header has \(header.count) (a ragged row; check for an unquoted comma or newline)"))
        }
        if fields.count > header.count {
            let extra = fields[header.count...]
            if extra.allSatisfy(\.isEmpty) {
                fields.removeLast(fields.count - header.count)
            } else {
                return .failure(CSVRowError(row: row, line: startLine, column: header.count + 1,
                                            message: "the row has \(fields.count) fields but the header has \(header.count)"))
            }
        }
        return .success(CSVRecord(row: row, line: startLine, fields: fields))
    }

    /// A record as raw field bytes; `problem` set if its syntax is broken.
    private struct RawRecord {
        var fields: [[UInt8]]
        var problem: String?
        /// The field (1-based) the problem is in, when it is in one.
        var problemColumn: Int?
        var absorbedLines = 0
    }

    private static func readRawRecord(from source: ChunkedBytes, line: inout Int) throws -> RawRecord? {
        // Skip blank lines between records.
        while let byte = try source.peek(), byte == 0x0A || byte == 0x0D {
            _ = try source.next()
            if byte == 0x0A { line += 1 }
        }
        guard try source.peek() != nil else { return nil }
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var problem: String? = nil
        var problemColumn: Int?
        var quoted = false
        var afterQuote = false
        // Where the open quote began, for the message when it is never closed.
        var quoteLine = line
        var quoteColumn = 0
        var lastQuotedLine = line
        var absorbed = 0  // non-empty lines read into the open quoted field after its first
        // Bytes and fields held for this record; past the limit the rest is read but not kept.
        var kept = 0
        var overflowing = false
        func keep(_ byte: UInt8) {
            guard !overflowing else { return }
            kept += 1
            if kept > maximumRecordBytes {
                overflowing = true
                problem = problem ?? "the record is longer than \(maximumRecordBytes >> 20) MiB (an unclosed quote?)"
                fields.removeAll()
                field.removeAll()
                return
            }
            field.append(byte)
        }
        func endField() {
            if !overflowing {
                kept += 1
                fields.append(field)
            }
            field = []
        }
        while true {
            guard let byte = try source.next() else {
                if quoted {
                    let absorbedText = lastQuotedLine > quoteLine ? "; lines \(quoteLine + 1)–\(lastQuotedLine) after it were read into this field, "
                        + "so they are not rows of their own" : ""
                    if problem == nil { problemColumn = quoteColumn }
                    problem = problem ?? "the quote that opens field \(quoteColumn) on line \(quoteLine) is never closed"
                        + absorbedText + "; close the quote (a quote inside a quoted value is written twice: \"\")"
                }
                endField()
                return RawRecord(fields: fields, problem: problem, problemColumn: problemColumn, absorbedLines: quoted ? absorbed : 0)
            }
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if try source.peek() == UInt8(ascii: "\"") {
                        _ = try source.next()
                        keep(byte)
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if byte == 0x0A {
                        line += 1
                    } else if byte != 0x0D, lastQuotedLine != line {
                        lastQuotedLine = line
                        absorbed += 1
                    }
                    keep(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                endField()
                afterQuote = false
            case 0x0D:
                if try source.peek() == 0x0A { _ = try source.next() }
                line += 1
                endField()
                return RawRecord(fields: fields, problem: problem, problemColumn: problemColumn)
            case 0x0A:
                line += 1
                endField()
                return RawRecord(fields: fields, problem: problem, problemColumn: problemColumn)
            case UInt8(ascii: "\""):
                if field.isEmpty && !afterQuote {
                    quoted = true
                    quoteLine = line
                    quoteColumn = fields.count + 1
                    lastQuotedLine = line
                    absorbed = 0
                } else {
                    keep(byte)
                }
            default:
                if afterQuote, byte != 0x20 {
                    if problem == nil { problemColumn = fields.count + 1 }
                    problem = problem ?? "text follows the closing quote of field \(fields.count + 1)"
                }
                if !afterQuote { keep(byte) }
            }
        }
    }

    static func decode(_ bytes: [UInt8], _ encoding: CSVEncoding) -> String? {
        switch encoding {
        case .utf8: return String(validating: bytes, as: UTF8.self)
        case .windows1252: return String(data: Data(bytes), encoding: .windowsCP1252)
        }
    }
}

/// A CSV file that cannot be read at all (missing, empty, unreadable header).
public struct CSVFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The file could not be opened at all (missing, a folder, no permission), as opposed to
    /// opened and found not to be CSV.
    public var cannotOpen: Bool
    public init(path: String, message: String, cannotOpen: Bool = false) {
        self.path = path
        self.message = message
        self.cannotOpen = cannotOpen
    }
    public var description: String { "\(path): \(message)" }
}

/// Bytes of a file read in chunks, with one byte of look-ahead.
final class ChunkedBytes {
    private let handle: FileHandle
    private let chunkSize: Int
    private var buffer: [UInt8] = []
    private var index = 0
    private var finished = false
    private var before = 0

    /// Bytes handed out (or skipped) so far.
    var consumed: Int { before + index }

    init(handle: FileHandle, chunkSize: Int) {
        self.handle = handle
        self.chunkSize = chunkSize
    }

    deinit { try? handle.close() }

    private func fill() throws -> Bool {
        guard !finished else { return false }
        let data = try handle.read(upToCount: chunkSize) ?? Data()
        if data.isEmpty {
            finished = true
            return false
        }
        before += buffer.count
        buffer = [UInt8](data)
        index = 0
        return true
    }

    func peek() throws -> UInt8? {
        if index >= buffer.count, try !fill() { return nil }
        return buffer[index]
    }

    func next() throws -> UInt8? {
        guard let byte = try peek() else { return nil }
        index += 1
        return byte
    }

    /// Skips a UTF-8 byte-order mark at the start; whether there was one.
    @discardableResult
    func skipUTF8BOM() -> Bool {
        guard (try? peek()) == 0xEF, buffer.count >= index + 3,
              buffer[index + 1] == 0xBB, buffer[index + 2] == 0xBF else { return false }
        index += 3
        return true
    }
}
