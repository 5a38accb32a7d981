import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a key password comes from. Never from the command line: argv is visible to every
/// user on the machine (`ps`) and lands in shell history.
public enum PasswordSource: Sendable, Hashable {
    /// A file's contents, minus one trailing newline (LF or CRLF).
    case file(String)
    /// An environment variable.
    case environment(String)
    /// Asked for on the controlling terminal, without echo.
    case prompt

    /// Reads the password. `.passwordUnavailable` if the file is unreadable, the variable is
    /// unset, or there is no terminal to prompt on.
    public func read(prompt message: String = "Password: ") throws -> String {
        switch self {
        case .file(let path):
            return Self.withoutTrailingNewline(try Self.contents(ofPasswordFile: path))
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw CryptoError(.passwordUnavailable, "the environment variable \(name) is not set")
            }
            return value
        case .prompt:
            return try Self.promptOnTerminal(message)
        }
    }

    /// The most a password file may hold: a password, not a document (and `/dev/zero` must not
    /// be read forever).
    static let passwordFileLimit = 64 * 1024

    /// Reads a password file with `read(2)` until its end, so `/dev/null` (an empty password),
    /// a pipe (`<(pass show key)`) or a FIFO work as well as a regular file; Foundation's
    /// `contents(atPath:)` refuses all three.
    static func contents(ofPasswordFile path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CryptoError(.passwordUnavailable, "cannot read the password file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        defer { for index in buffer.indices { buffer[index] = 0 } }
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                throw CryptoError(.passwordUnavailable, "cannot read the password file \(path): \(String(cString: strerror(errno)))")
            }
            data.append(contentsOf: buffer[0..<count])
            if data.count > passwordFileLimit {
                throw CryptoError(.passwordUnavailable, "the password file \(path) holds more than \(passwordFileLimit / 1024) KiB: "
                                  + "give a file holding only the password")
            }
        }
    }

    static func withoutTrailingNewline(_ data: Data) -> String {
        var text = String(decoding: data, as: UTF8.self)
        // "\r\n" is one Character in Swift, and hasSuffix("\n") does not see inside it.
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Prompts on /dev/tty with echo off, restoring the terminal afterwards.
    private static func promptOnTerminal(_ message: String) throws -> String {
        let terminal = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard terminal >= 0 else {
            throw CryptoError(.passwordUnavailable,
                              "there is no terminal to ask for the password on")
        }
        defer { close(terminal) }
        var saved = termios()
        guard tcgetattr(terminal, &saved) == 0 else {
            throw CryptoError(.passwordUnavailable, "cannot configure the terminal to read a password")
        }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ICANON)
        _ = message.withCString { write(terminal, $0, strlen($0)) }
        guard tcsetattr(terminal, TCSAFLUSH, &silent) == 0 else {
            throw CryptoError(.passwordUnavailable, "cannot turn off echo to read a password")
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(terminal, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            bytes.append(byte)
        }
        _ = tcsetattr(terminal, TCSAFLUSH, &saved)
        _ = write(terminal, "\n", 1)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        return String(decoding: bytes, as: UTF8.self)
    }
}
