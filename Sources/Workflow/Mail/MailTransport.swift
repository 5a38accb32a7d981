public import Foundation

/// Where the outbox's messages go: an SMTP relay (`SMTPClient`), or for development a folder
/// (`MailDirectory`).
public protocol MailTransport: Sendable {
    /// Delivers messages in order and returns each one's error (nil when it was delivered).
    func send(_ messages: [SMTPClient.Outgoing]) -> [WorkflowError?]
}

extension SMTPClient: MailTransport {}

/// Delivers each message as a file, `<time>-<n>-<recipient>.eml` (RFC 5322, as it would have
/// gone over SMTP), into a folder: for trying the workflow without a mail server, the way a
/// framework's file mail backend does. Any mail client opens the files; the signing links and
/// one-time codes are in them. Not for production: nothing leaves the machine.
public struct MailDirectory: MailTransport {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ messages: [SMTPClient.Outgoing]) -> [WorkflowError?] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            let failure = WorkflowError(.mail, "cannot create the mail folder \(directory.path): \(error.localizedDescription)")
            return messages.map { _ in failure }
        }
        let stamp = Self.stamp(Date())
        return messages.enumerated().map { index, message in
            let recipient = (message.to.first ?? "nobody").unicodeScalars
                .map { CharacterSet.alphanumerics.contains($0) || "@.-_".unicodeScalars.contains($0) ? String($0) : "_" }.joined()
            let url = directory.appendingPathComponent("\(stamp)-\(index + 1)-\(recipient.prefix(80)).eml")
            let text = "X-Countersign-From: \(message.from)\r\nX-Countersign-To: \(message.to.joined(separator: ", "))\r\n" + message.data
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
                return nil
            } catch {
                return WorkflowError(.mail, "cannot write \(url.path): \(error.localizedDescription)")
            }
        }
    }

    /// The time in a file name that sorts in delivery order (UTC, to the microsecond).
    static func stamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let micros = Int((seconds - Double(time)) * 1_000_000)
        return String(format: "%04d%02d%02dT%02d%02d%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, micros)
    }
}
