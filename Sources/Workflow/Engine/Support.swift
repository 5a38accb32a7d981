public import Foundation
import InputChecks
import Synchronization

/// Where the workflow gets the time: injected, so tests and the demo move it.
public protocol WorkflowClock: Sendable {
    func now() -> Date
}

/// The system clock.
public struct SystemClock: WorkflowClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until moved (tests, the demo, `worker --at`).
public final class ManualClock: WorkflowClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    /// Moves the clock forward.
    public func advance(by interval: TimeInterval) { current.withLock { $0 += interval } }
    public func set(_ date: Date) { current.withLock { $0 = date } }
}

/// Who is calling from where, recorded in every event a recipient causes.
public struct RequestContext: Sendable, Hashable {
    public var ip: String?
    public var userAgent: String?

    public init(ip: String? = nil, userAgent: String? = nil) {
        self.ip = ip
        self.userAgent = userAgent
    }

    var personal: [String: String] {
        var values: [String: String] = [:]
        if let ip { values["ip"] = ip }
        if let userAgent { values["userAgent"] = userAgent }
        return values
    }
}

/// Random secrets and sortable identifiers.
enum Secrets {
    /// `count` random bytes from the system's cryptographic generator, as lowercase hex.
    static func hex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(count * 2)
        for _ in 0..<count { text += String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
        return text
    }

    /// `prefix_<12 hex of milliseconds><8 hex random>`: sorts by creation time.
    static func identifier(_ prefix: String, at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        return prefix + "_" + String(format: "%012llx", milliseconds) + hex(bytes: 4)
    }

    /// A 6-digit one-time code, uniformly drawn.
    static func oneTimeCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
    }
}

/// Checks shared by the requests.
enum Check {
    /// A short text (a name, a subject, a reason): trimmed, 1 to 500 characters, and free of
    /// characters that would change what others see — control characters (an ESC rewrites an
    /// operator's terminal, a line break splits an e-mail header or a CSV row) and the
    /// directional overrides and isolates that make a PDF or a page show text other than the
    /// stored one. A reason (`multiline`) may keep its line breaks and tabs.
    static func nonEmpty(_ value: String, _ what: String, multiline: Bool = false) throws(WorkflowError) -> String {
        let trimmed = value.trimmingCharacters(in: trimmedEnds)
        guard !trimmed.isEmpty else { throw WorkflowError(.invalidRequest, "\(what) is empty; give one") }
        guard HiddenCharacters.hasVisibleCharacter(trimmed) else {
            throw WorkflowError(.invalidRequest, "\(what) has only characters that print as nothing "
                                + "(\(trimmed.unicodeScalars.prefix(4).map(\.codePoint).joined(separator: " "))); give one that can be read")
        }
        guard trimmed.count <= 500 else { throw WorkflowError(.invalidRequest, "\(what) is longer than 500 characters") }
        try visible(trimmed, what, multiline: multiline)
        return trimmed
    }

    /// Refuses `text` holding a character `HiddenCharacters` names, saying which and where.
    static func visible(_ text: String, _ what: String, multiline: Bool = false) throws(WorkflowError) {
        if let (position, scalar) = HiddenCharacters.first(in: text, allowingLineBreaks: multiline) {
            throw WorkflowError(.invalidRequest, "\(what) contains \(HiddenCharacters.describe(scalar)) at character \(position); remove it")
        }
        for (offset, scalar) in text.unicodeScalars.enumerated() where HiddenCharacters.isInvisible(scalar) {
            throw WorkflowError(.invalidRequest, "\(what) contains an invisible character (\(scalar.codePoint)) at character \(offset + 1), "
                                + "which would make it differ from what is shown; remove it")
        }
    }

    /// What is trimmed from a text's ends: spaces (of every width), tabs, CR and LF. NEL and
    /// the Unicode line and paragraph separators are not, so that they are refused at the ends as
    /// they are inside, naming the character, rather than dropped there and refused elsewhere.
    static let trimmedEnds = CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\r\n"))

    static func email(_ value: String, _ what: String) throws(WorkflowError) -> String {
        let trimmed = value.trimmingCharacters(in: trimmedEnds)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
              !trimmed.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0 == "\r" || $0 == "\n" }) else {
            throw WorkflowError(.invalidRequest, "\(what) '\(value)' is not an e-mail address (name@domain.tld)")
        }
        // A dot-atom local part (RFC 5322 §3.4.1, UTF-8 allowed by RFC 6532): no quoted forms,
        // no dot at an end or two in a row, which relays refuse after the envelope was made.
        let local = parts[0]
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
              local.unicodeScalars.allSatisfy({ !$0.isASCII || $0.properties.isAlphabetic && $0.value < 0x80 || ("0"..."9").contains($0)
                  || "!#$%&'*+-/=?^_`{|}~.".unicodeScalars.contains($0) }) else {
            throw WorkflowError(.invalidRequest, "\(what) '\(value)': '\(local)' is not a mailbox name (letters, digits and "
                                + "!#$%&'*+-/=?^_`{|}~, dots between them)")
        }
        // A domain name (in IDNA A-labels within DNS's limits), not an address literal
        // (`x@[127.0.0.1]`), which sends a contract to whatever host the sender names.
        guard !parts[1].contains("[") else {
            throw WorkflowError(.invalidRequest, "\(what) '\(value)': '\(parts[1])' is not a domain name (name@domain.tld; "
                                + "an address literal such as [192.0.2.1] is not taken)")
        }
        let domain: String
        do {
            domain = try MailAddress.aLabels(String(parts[1]))
        } catch {
            throw WorkflowError(.invalidRequest, "\(what) '\(value)': the domain \(error); check the address")
        }
        guard domain.contains(".") else {
            throw WorkflowError(.invalidRequest, "\(what) '\(value)' is not an e-mail address (name@domain.tld)")
        }
        // No top-level domain is all digits (RFC 3696 §2): `x@127.0.0.1` is an address, not a name.
        guard let top = domain.split(separator: ".").last, !top.allSatisfy(\.isNumber) else {
            throw WorkflowError(.invalidRequest, "\(what) '\(value)': '\(parts[1])' is not a domain name (its last label is a number, "
                                + "as in an IP address; e-mail goes to a name, name@domain.tld)")
        }
        // RFC 5321's limits: a longer address is refused by relays, after the envelope was made.
        guard parts[0].utf8.count <= 64, trimmed.utf8.count <= 254 else {
            throw WorkflowError(.invalidRequest, "\(what) is longer than an e-mail address may be (64 bytes before the @, 254 in all)")
        }
        try visible(trimmed, what)
        return trimmed
    }
}

/// Blocking system calls (fsync, file reads, SMTP sockets) run on Dispatch's threads, never on
/// Swift concurrency's cooperative pool, which has one thread per core: a task blocked there
/// idles a core for the whole wait.
enum BlockingIO {
    /// Runs `work` on a Dispatch thread and waits for it without holding a cooperative thread.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
