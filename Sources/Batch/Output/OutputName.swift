import CountersignCrypto
import Foundation
public import Templates

/// The `--name` pattern: text with `{{field}}` and `{{row}}` placeholders, e.g.
/// `{{lead_id}}-{{company_name}}.pdf`. `.pdf` is added when the pattern does not end with it.
public struct NamePattern: Sendable, Hashable {
    enum Piece: Sendable, Hashable {
        case literal(String)
        case field(String)
        case row
    }

    /// The pattern as given.
    public let source: String
    /// The template fields the pattern uses, in order of first use.
    public let fields: [String]
    let pieces: [Piece]

    /// The default: `{{lead_id}}.pdf` when the template declares `lead_id`, else `{{row}}.pdf`.
    public static func defaultPattern(for template: CompiledTemplate) -> String {
        template.fields.contains { $0.name == "lead_id" } ? "{{lead_id}}.pdf" : "{{row}}.pdf"
    }

    /// Parses a pattern; every placeholder must be `row` or a field the template declares.
    public init(_ source: String, template: CompiledTemplate) throws(BatchError) {
        let declared = template.fields.map(\.name)
        func fail(_ message: String) -> BatchError { BatchError(.namePattern, "--name '\(source)': \(message)") }
        var pieces: [Piece] = []
        var fields: [String] = []
        var rest = Substring(source)
        while !rest.isEmpty {
            guard let open = rest.range(of: "{{") else {
                if rest.contains("}}") { throw fail("'}}' without '{{'") }
                pieces.append(.literal(String(rest)))
                break
            }
            let literal = rest[..<open.lowerBound]
            if literal.contains("}}") { throw fail("'}}' without '{{'") }
            if !literal.isEmpty { pieces.append(.literal(String(literal))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw fail("'{{' is not closed with '}}'") }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if name == "row" {
                pieces.append(.row)
            } else if declared.contains(name) {
                pieces.append(.field(name))
                if !fields.contains(name) { fields.append(name) }
            } else {
                throw fail("'{{\(name)}}' is not a field of template \(template.id); use {{row}} or one of "
                           + declared.joined(separator: ", ") + suggestion(for: name, in: declared + ["row"]))
            }
            rest = rest[close.upperBound...]
        }
        for case .literal(let text) in pieces where text.contains("/") || text.contains("\\") {
            throw fail("file names cannot contain '/' or '\\'; outputs go directly in the --out directory")
        }
        guard pieces.contains(where: { if case .literal = $0 { return false } else { return true } }) else {
            throw fail("needs a placeholder such as {{row}} or {{lead_id}}, or every row would write the same file")
        }
        self.source = source
        self.fields = fields
        self.pieces = pieces
    }

    /// The safe file name for a row, or nil when the row's values leave it empty.
    func fileName(row: Int, values: [String: TemplateValue]) -> String? {
        var raw = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): raw += text
            case .row: raw += String(row)
            case .field(let name): raw += (values[name] ?? .null).text
            }
        }
        return SafeFileName.make(raw)
    }
}

/// File names that are safe on the file systems outputs end up on (ext4, APFS, NTFS via SMB):
/// NFC, no path separators or characters Windows forbids, no control or bidirectional-override
/// characters, no leading dots, at most 200 UTF-8 bytes (room for the temporary-file suffix
/// under the usual 255-byte limit), ending in `.pdf`.
public enum SafeFileName {
    /// The longest name in UTF-8 bytes.
    public static let maximumBytes = 200

    private static let replaced: Set<Unicode.Scalar> = ["/", "\\", ":", "*", "?", "\"", "<", ">", "|"]
    private static let bidiControls: ClosedRange<UInt32> = 0x202A...0x202E
    private static let isolates: ClosedRange<UInt32> = 0x2066...0x2069
    private static let reserved = Set(["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] })

    /// The safe form of `raw`, or nil when nothing usable is left.
    public static func make(_ raw: String) -> String? {
        var stem = raw.precomposedStringWithCanonicalMapping
        if stem.lowercased().hasSuffix(".pdf") { stem.removeLast(4) }
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in stem.unicodeScalars {
            let value = scalar.value
            if value == 0x200E || value == 0x200F || value == 0x061C || bidiControls.contains(value)
                || isolates.contains(value) || value == 0xFEFF {
                continue
            }
            if scalar.properties.isWhitespace {
                if !lastWasSpace { scalars.append(" ") }
                lastWasSpace = true
                continue
            }
            lastWasSpace = false
            if value < 0x20 || (0x7F...0x9F).contains(value) {
                continue
            } else if replaced.contains(scalar) {
                scalars.append("_")
            } else {
                scalars.append(scalar)
            }
        }
        var text = String(scalars)
        func trim() {
            while let first = text.first, first == "." || first == " " { text.removeFirst() }
            while let last = text.last, last == "." || last == " " { text.removeLast() }
        }
        trim()
        let budget = maximumBytes - 4
        if text.utf8.count > budget {
            var cut = ""
            for character in text {
                if cut.utf8.count + character.utf8.count > budget { break }
                cut.append(character)
            }
            text = cut
            trim()
        }
        guard !text.isEmpty else { return nil }
        if reserved.contains(text.uppercased()) { text += "_" }
        return text + ".pdf"
    }
}

/// The names claimed so far in a batch, so a later row never overwrites an earlier row's file.
/// Names are compared without case (two names that differ only in case are one file on macOS
/// and Windows). Keeps 8 bytes of SHA-256 per name, so memory stays small at a million rows.
struct NameRegistry {
    private var claimed: [UInt64: Int] = [:]

    /// Claims `name` for `row`; returns the earlier row that holds it, if any.
    mutating func claim(_ name: String, row: Int) -> Int? {
        let digest = DigestAlgorithm.sha256.hash(Array(name.lowercased().utf8))
        let key = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if let earlier = claimed[key] { return earlier }
        claimed[key] = row
        return nil
    }
}
