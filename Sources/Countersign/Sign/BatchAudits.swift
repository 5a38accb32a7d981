public import Foundation
public import Signing

/// Audit events for a batch of documents, one trail per document — never one file stamped into
/// every document, which would put one envelope's signers on another company's contract.
///
/// - `.directory(DIR)`: `DIR/NAME.json` holds the events of `NAME.pdf`.
/// - `.jsonLines(FILE)`: one events object per line, each with a `"document"` key naming its PDF
///   (`"NAME.pdf"`); a document named twice, or a line without a name, is refused.
public enum BatchAudits: Sendable {
    case directory(URL)
    case jsonLines(URL)

    /// The events of each document, read and checked up front (for `.jsonLines`), or a reader of
    /// `DIR/NAME.json` (for `.directory`). Every problem of the file is reported at once.
    public func load() throws -> Loaded {
        switch self {
        case .directory:
            return Loaded(source: self, trails: [:])
        case .jsonLines(let url):
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw SigningError(.badAudit, "\(url.path): cannot read the audit events (JSON Lines)")
            }
            var trails: [String: AuditTrail] = [:]
            var problems: [String] = []
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if text.isEmpty { continue }
                let lineData = Data(text.utf8)
                struct Key: Decodable { var document: String? }
                guard let key = try? JSONDecoder().decode(Key.self, from: lineData), let document = key.document, !document.isEmpty else {
                    problems.append("line \(index + 1): no \"document\" key naming the PDF these events belong to")
                    continue
                }
                if trails[document] != nil {
                    problems.append("line \(index + 1): \(document) already has events on an earlier line")
                    continue
                }
                do {
                    trails[document] = try AuditTrail.load(lineData, othersKeys: ["document"])
                } catch let error as SigningError {
                    problems.append("line \(index + 1) (\(document)): \(error.reason)")
                }
            }
            guard problems.isEmpty else {
                throw SigningError(.badAudit, "\(url.path): " + problems.joined(separator: "; "))
            }
            return Loaded(source: self, trails: trails)
        }
    }

    /// Trails ready to hand out per document.
    public struct Loaded: Sendable {
        let source: BatchAudits
        let trails: [String: AuditTrail]

        /// The events of the document `name` (a file name such as `lead-1.pdf`).
        public func trail(for name: String) throws -> AuditTrail {
            switch source {
            case .directory(let directory):
                let stem = name.lowercased().hasSuffix(".pdf") ? String(name.dropLast(4)) : name
                let url = directory.appendingPathComponent(stem + ".json")
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw SigningError(.badAudit, "no audit events for \(name): \(url.path) does not exist — "
                                       + "each document needs its own events file")
                }
                do {
                    return try AuditTrail.load(data)
                } catch let error as SigningError {
                    throw SigningError(.badAudit, "\(url.path): \(error.reason)")
                }
            case .jsonLines(let url):
                guard let trail = trails[name] else {
                    throw SigningError(.badAudit, "no audit events for \(name) in \(url.path) — "
                                       + "add a line with \"document\": \"\(name)\"")
                }
                return trail
            }
        }

        /// Documents named in the events that are not among `names` (likely a typo or a wrong folder).
        public func unmatched(_ names: [String]) -> [String] {
            Set(trails.keys).subtracting(names).sorted()
        }
    }
}
