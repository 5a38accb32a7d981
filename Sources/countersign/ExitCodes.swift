import ArgumentParser
import Countersign
import Foundation

/// Exit codes of DESIGN.md §8 (sysexits-style), one table for every command (docs/cli.md).
enum ExitStatus {
    static let ok: Int32 = 0
    static let failed: Int32 = 1
    static let indeterminate: Int32 = 2
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let software: Int32 = 70
    static let osError: Int32 = 71
    static let cannotCreate: Int32 = 73
    static let ioError: Int32 = 74
}

/// A command's failure as the user sees it: `countersign: FILE: what — what to do` on stderr (or
/// an error object with `--json`) and an exit status from the table.
struct CLIError: Error, Sendable, CustomStringConvertible {
    var status: Int32
    /// The file (or row, directory, flag) the problem is about.
    var file: String?
    var what: String
    /// What to do about it, when there is something to do.
    var todo: String?
    /// Lines printed as they are before the error line (a template's diagnostics).
    var details: [String] = []

    init(_ status: Int32, file: String?, _ what: String, todo: String? = nil, details: [String] = []) {
        self.status = status
        self.file = file
        self.what = what
        self.todo = todo
        self.details = details
    }

    /// The error line without the `countersign: ` prefix.
    var description: String {
        var line = ""
        // Library reasons often start with the path already; do not say it twice.
        if let file, !what.hasPrefix(file) { line += "\(file): " }
        line += what
        if let todo, !what.contains(" — ") { line += " — \(todo)" }
        return line
    }

    var json: JSONValue {
        // The detail lines as problems, without the prefix they carry on stderr; an error that
        // is only its details (a template's diagnostics) is summed up in the message too.
        let problems = details.map { $0.hasPrefix("countersign: ") ? String($0.dropFirst("countersign: ".count)) : $0 }
        var message = description
        if what.isEmpty, let first = problems.first {
            message = problems.count == 1 ? first : "\(problems.count) problems; the first: \(first)"
        }
        var object: [String: JSONValue] = ["status": .int(Int(status)), "message": .string(message)]
        if let file { object["file"] = .string(file) }
        if let todo { object["todo"] = .string(todo) }
        if !problems.isEmpty { object["details"] = .array(problems.map(JSONValue.string)) }
        return .object(["error": .object(object)])
    }

    /// Prints the error: the detail lines and the error line on stderr; with `json`, also the
    /// error object on stdout (so a script reading stdout always gets one JSON document).
    func report(json: Bool) {
        for line in details { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        if details.isEmpty || !what.isEmpty { printError(description) }
        if json { FileHandle.standardOutput.write(Data((self.json.rendered(pretty: false) + "\n").utf8)) }
    }
}

/// Runs a command's body and turns any error into its report and exit status: the one place the
/// exit-code table is applied, so every command maps the same error the same way.
func reportingErrors(json: Bool, file: String? = nil, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let failure = CLIError.from(error, file: file)
        failure.report(json: json)
        throw ExitCode(failure.status)
    }
}

extension CLIError {
    /// The CLI's view of a library error: which exit status, which file, what to do.
    static func from(_ error: any Error, file: String? = nil) -> CLIError {
        if let error = error as? CLIError { return error }
        if let reason = systemLibraryFailure(error) {
            return CLIError(ExitStatus.osError, file: nil, reason, todo: "install the library (scripts/lib/common.sh lists the packages)")
        }
        switch error {
        case let error as ResourceError:
            return CLIError(ExitStatus.noInput, file: nil, error.reason)
        case let error as TemplateError:
            let system = error.diagnostics.contains { $0.code == .systemLibrary }
            return CLIError(system ? ExitStatus.osError : ExitStatus.dataError, file: nil, "",
                            details: error.diagnostics.map { "\($0)" })
        case let error as PDFError:
            switch error.code {
            case .io:
                let exists = file.map { FileManager.default.fileExists(atPath: $0) } ?? false
                return CLIError(exists ? ExitStatus.ioError : ExitStatus.noInput, file: file, "\(error)")
            case .invalidArgument: return CLIError(ExitStatus.usage, file: file, "\(error)")
            default: return CLIError(ExitStatus.dataError, file: file, "\(error)")
            }
        case let error as CryptoError:
            switch error.code {
            case .io:
                let missing = file.map { !FileManager.default.fileExists(atPath: $0) } ?? true
                return CLIError(missing ? ExitStatus.noInput : ExitStatus.ioError, file: file, error.reason)
            case .network: return CLIError(ExitStatus.ioError, file: file, error.reason, todo: "check the URL and the network")
            case .passwordUnavailable: return CLIError(ExitStatus.noInput, file: file, error.reason)
            default: return CLIError(ExitStatus.dataError, file: file, error.reason)
            }
        case let error as SigningError where error.code == .revocationUnavailable:
            return CLIError(ExitStatus.ioError, file: file, error.reason)
        case let error as SigningError:
            return CLIError(ExitStatus.dataError, file: file, error.reason)
        case let error as AtomicFileError:
            return CLIError(ExitStatus.cannotCreate, file: error.path, error.reason,
                            todo: "check that the folder exists and is writable")
        case let error as CSVFileError:
            // Missing, a folder, unreadable: the input cannot be opened (66); a file that opens
            // but does not read as CSV is a data error (65).
            return CLIError(error.cannotOpen ? ExitStatus.noInput : ExitStatus.dataError, file: error.path, error.message)
        case let error as TypesettingError:
            // A layout error names the template element it is about: file:line:column.
            guard let origin = error.origin else { return CLIError(ExitStatus.dataError, file: file, error.reason) }
            return CLIError(ExitStatus.dataError, file: origin.file.map { _ in origin.location } ?? file, "<\(origin.element)>: " + error.reason)
        case let error as PDFReaderError:
            return CLIError(error.code == .notFound ? ExitStatus.noInput : ExitStatus.dataError, file: file, error.reason)
        case let error as VerificationError:
            return CLIError(error.code == .notFound ? ExitStatus.noInput : ExitStatus.ioError, file: file, error.reason)
        case let error as BatchError:
            return CLIError(batchStatus(error.code), file: nil, error.reason)
        case let error as CocoaError:
            return CLIError(cocoaStatus(error), file: error.filePath ?? file, error.localizedDescription)
        default:
            return CLIError(ExitStatus.software, file: file, "internal error: \(error)",
                            todo: "this is a bug; please report it with the command that caused it")
        }
    }

    private static func batchStatus(_ code: BatchError.Code) -> Int32 {
        switch code {
        case .missingInput: ExitStatus.noInput
        case .mapping, .invalidInput: ExitStatus.dataError
        case .namePattern, .existingBatch: ExitStatus.usage
        case .cannotCreateOutput, .busy: ExitStatus.cannotCreate
        case .systemLibrary: ExitStatus.osError
        default: ExitStatus.ioError
        }
    }

    private static func cocoaStatus(_ error: CocoaError) -> Int32 {
        switch error.code {
        case .fileReadNoSuchFile, .fileNoSuchFile: ExitStatus.noInput
        case .fileWriteNoPermission, .fileWriteOutOfSpace, .fileWriteVolumeReadOnly, .fileWriteFileExists,
             .fileWriteInvalidFileName: ExitStatus.cannotCreate
        default: ExitStatus.ioError
        }
    }
}

/// The reason, when `error` says a system library cannot be loaded (not the input's fault).
private func systemLibraryFailure(_ error: any Error) -> String? {
    switch error {
    case let error as CryptoError where error.code == .systemLibrary: error.reason
    case let error as TypesettingError where error.code == .systemLibrary: error.reason
    case let error as PDFReaderError where error.code == .systemLibrary: error.reason
    case let error as BatchError where error.code == .systemLibrary: error.reason
    default: nil
    }
}

/// Ends a command that succeeded, once its output is written, without freeing what it holds:
/// a parsed document is thousands of objects, and releasing them one by one only delays the
/// exit — the system reclaims the memory at once. Buffered output (print's stdout) is flushed first.
func exitSuccessfully(keepingAlive values: Any...) -> Never {
    withExtendedLifetime(values) {
        fflush(nil)
        exit(ExitStatus.ok)
    }
}

/// Writes bytes to stdout as they are (no String round trip; a large JSON report in one call).
func writeStandardOutput(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buffer in
        var done = 0
        while done < buffer.count {
            let written = write(STDOUT_FILENO, buffer.baseAddress! + done, buffer.count - done)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            done += written
        }
    }
}

/// Prints one JSON value on stdout, compact, with a newline.
func printJSON(_ value: JSONValue) {
    writeStandardOutput(Array((value.rendered(pretty: false) + "\n").utf8))
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("countersign: \(message)\n".utf8))
}
