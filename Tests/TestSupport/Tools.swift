public import Foundation

/// Helpers the test targets share: where the repository is, running external tools (the
/// independent judges: qpdf, pdfsig, pyHanko) and scratch directories.
public enum TestEnvironment {
    /// The repository root (found from this file's path).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static var fixtures: URL { root.appendingPathComponent("Fixtures") }

    /// The Python venv with pyHanko that `scripts/test` creates (override with COUNTERSIGN_VENV).
    public static var venv: URL {
        if let path = ProcessInfo.processInfo.environment["COUNTERSIGN_VENV"] { return URL(fileURLWithPath: path) }
        return root.appendingPathComponent(".venv")
    }

    /// The built `countersign` executable next to the test bundle.
    public static var countersignExecutable: URL {
        let bundleDir = Bundle.main.bundleURL
        for candidate in [bundleDir.appendingPathComponent("countersign"),
                          bundleDir.deletingLastPathComponent().appendingPathComponent("countersign")] {
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let fallback = root.appendingPathComponent(".build/debug/countersign")
        return fallback
    }

    /// A fresh empty directory under the system temporary directory.
    public static func scratchDirectory(_ label: String = #function) throws -> URL {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("countersign-tests")
            .appendingPathComponent("\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The result of running a command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var stdoutData: Data
}

/// Runs an external program with its clock `days` days in the past: libfaketime preloaded into
/// the program itself. Not the `faketime` wrapper: it makes a semaphore and shared memory named
/// after its process id, left behind when a run is killed, and a later wrapper that gets the same
/// id fails with "sem_open: File exists" — on a machine that has run the suite before, at random.
@discardableResult
public func runBackdated(days: Int, _ executable: String, _ arguments: [String], input: Data? = nil,
                         timeout: TimeInterval = 120) throws -> CommandResult {
    try runCommand(executable, arguments, input: input,
                   environment: ["LD_PRELOAD": libfaketimePath, "FAKETIME": "-\(days)d"], timeout: timeout)
}

/// Where Debian's libfaketime is (its folder names the architecture).
public let libfaketimePath: String = {
    let candidates = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
        .map { $0 + "/faketime/libfaketime.so.1" }
    return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
}()

/// Runs an external program to completion, with a time limit so a hung tool fails the test.
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], input: Data? = nil,
                       environment: [String: String]? = nil, timeout: TimeInterval = 120) throws -> CommandResult {
    let process = Process()
    if executable.contains("/") {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
    }
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("cs-out-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("cs-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    let inputPipe = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(input)
        try? inputPipe.fileHandleForWriting.close()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
        // The deadline is for the command. One that has exited but that Foundation has not yet
        // reaped (its monitor runs on a dispatch queue, late when every thread is busy at the
        // start of a parallel run) is waited for, not timed out.
        if Date() > deadline, !hasExited(process.processIdentifier) {
            process.stop()
            throw ToolTimeout(command: ([executable] + arguments).joined(separator: " "), seconds: timeout)
        }
        usleep(5_000)
    }
    try? outHandle.close()
    try? errHandle.close()
    let outData = (try? Data(contentsOf: outURL)) ?? Data()
    let errData = (try? Data(contentsOf: errURL)) ?? Data()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         stdoutData: outData)
}

/// A tool that ran past its time limit.
public struct ToolTimeout: Error, CustomStringConvertible {
    public var command: String
    public var seconds: TimeInterval
    public var description: String { "\(command) ran longer than \(Int(seconds)) s" }
}

/// Whether a program is on PATH.
public func toolAvailable(_ name: String) -> Bool {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}

extension Process {
    /// Sends `signal` and waits (polling) until the process has exited, killing it after
    /// `timeout` seconds. `waitUntilExit()` spins on a run loop test threads do not run, and
    /// can spin for ever there.
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 5) {
        guard isRunning else { return }
        kill(processIdentifier, signal)
        waitForExit(timeout: timeout)
    }

    /// Waits (polling) until the process has exited on its own, killing it after `timeout` seconds.
    public func waitForExit(timeout: TimeInterval = 30) {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            while isRunning { usleep(10_000) }
        }
    }
}

/// Whether a child has exited (a zombie waiting to be reaped, or gone), by its /proc state.
func hasExited(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].drop { $0 == " " }
    return state.hasPrefix("Z") || state.hasPrefix("X")
}
