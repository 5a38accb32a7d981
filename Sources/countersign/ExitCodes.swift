import ArgumentParser
import Countersign
import Foundation

/// Exit codes of DESIGN.md §8 (sysexits-style).
enum ExitStatus {
    static let ok: Int32 = 0
    static let failed: Int32 = 1
    static let indeterminate: Int32 = 2
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let software: Int32 = 70
    static let osError: Int32 = 71
    static let ioError: Int32 = 74
}

/// Prints a one-line error to stderr and exits with the code that fits the error.
func exitForError(_ error: any Error, file: String? = nil) -> ExitCode {
    let prefix = file.map { "\($0): " } ?? ""
    if let reason = systemLibraryFailure(error) {
        printError(reason)
        return ExitCode(ExitStatus.osError)
    }
    if let error = error as? PDFError {
        printError("\(prefix)\(error)")
        switch error.code {
        case .io: return ExitCode(FileManager.default.fileExists(atPath: file ?? "") ? ExitStatus.ioError : ExitStatus.noInput)
        case .invalidArgument: return ExitCode(ExitStatus.usage)
        default: return ExitCode(ExitStatus.dataError)
        }
    }
    if let error = error as? CryptoError {
        printError("\(prefix)\(error)")
        switch error.code {
        case .io: return ExitCode(ExitStatus.noInput)
        case .network: return ExitCode(ExitStatus.ioError)
        default: return ExitCode(ExitStatus.dataError)
        }
    }
    if let error = error as? SigningError {
        printError("\(prefix)\(error)")
        return ExitCode(ExitStatus.dataError)
    }
    if let error = error as? AtomicFileError {
        printError("\(error)")
        return ExitCode(ExitStatus.ioError)
    }
    if let error = error as? CSVFileError {
        printError("\(error)")
        return ExitCode(FileManager.default.fileExists(atPath: error.path) ? ExitStatus.dataError : ExitStatus.noInput)
    }
    if let error = error as? TypesettingError {
        printError("\(prefix)\(error)")
        return ExitCode(ExitStatus.dataError)
    }
    if let error = error as? PDFReaderError {
        printError("\(prefix)\(error)")
        return ExitCode(error.code == .notFound ? ExitStatus.noInput : ExitStatus.dataError)
    }
    printError("\(prefix)internal error: \(error)")
    return ExitCode(ExitStatus.software)
}

/// The reason, when `error` says a system library cannot be loaded (not the input's fault).
private func systemLibraryFailure(_ error: any Error) -> String? {
    switch error {
    case let error as CryptoError where error.code == .systemLibrary: error.reason
    case let error as TypesettingError where error.code == .systemLibrary: error.reason
    case let error as PDFReaderError where error.code == .systemLibrary: error.reason
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

func printError(_ message: String) {
    FileHandle.standardError.write(Data("countersign: \(message)\n".utf8))
}
