import Foundation
import Templates
import TestSupport
import Typesetting

/// Paths and helpers the template tests share.
enum Samples {
    static let templates = TestEnvironment.root.appendingPathComponent("Templates")
    static let clauses = templates.appendingPathComponent("clauses")
    static let compiler = TemplateCompiler(clauseLibrary: clauses)
    /// The same library named relative to the repository root, so diagnostics read `Templates/clauses/…`.
    static let relativeCompiler = TemplateCompiler(
        clauseLibrary: URL(fileURLWithPath: "Templates/clauses", relativeTo: TestEnvironment.root))
    static let names = ["service-agreement", "mutual-nda", "consent-form", "discount-approval"]

    static func url(_ name: String) -> URL { templates.appendingPathComponent("\(name).xml") }

    static func compile(_ name: String) throws -> CompiledTemplate {
        try compiler.compile(file: url(name))
    }

    /// Fixtures/leads.csv as dictionaries, read once.
    static let leads: [[String: String]] = {
        let text = (try? String(contentsOf: TestEnvironment.fixtures.appendingPathComponent("leads.csv"), encoding: .utf8)) ?? ""
        return CSV.records(text)
    }()

    /// The first lead matching `predicate`.
    static func lead(where predicate: ([String: String]) -> Bool) -> [String: String]? {
        leads.first(where: predicate)
    }
}

/// A small RFC 4180 reader (quotes, doubled quotes, commas and newlines in quotes, BOM, CRLF).
enum CSV {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let value = pending { pending = nil; return value }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    let after = next()
                    if after == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = after }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == "," {
                row.append(field); field = ""
            } else if scalar == "\n" || scalar == "\r" {
                if scalar == "\r" { let after = next(); if after != "\n" { pending = after } }
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    static func records(_ text: String) -> [[String: String]] {
        let all = rows(text)
        guard let header = all.first else { return [] }
        return all.dropFirst().map { values in
            Dictionary(uniqueKeysWithValues: zip(header, values + Array(repeating: "", count: max(0, header.count - values.count))))
        }
    }
}

extension DocumentSpec {
    /// Every text of the document (header, body, footer) as lines, for "contains" checks.
    var plainText: String {
        (header + body + footer).map(\.plainText).joined(separator: "\n")
    }

    /// All signature boxes in document order.
    var signatures: [SignatureBox] { body.flatMap(\.signatures) }
}

extension Block {
    var plainText: String {
        switch self {
        case .paragraph(let paragraph), .heading(_, let paragraph): return paragraph.plainText
        case .list(let list): return list.items.map { $0.map(\.plainText).joined(separator: "\n") }.joined(separator: "\n")
        case .table(let table):
            return table.rows.map { row in row.cells.map { $0.blocks.map(\.plainText).joined(separator: " ") }
                .joined(separator: " | ") }.joined(separator: "\n")
        case .keepTogether(let blocks): return blocks.map(\.plainText).joined(separator: "\n")
        case .signature(let box): return "[signature \(box.role): \(box.label)]"
        case .image: return "[image]"
        case .pageBreak: return "[page break]"
        case .spacer, .rule: return ""
        }
    }

    var signatures: [SignatureBox] {
        switch self {
        case .signature(let box): return [box]
        case .keepTogether(let blocks): return blocks.flatMap(\.signatures)
        case .table(let table): return table.rows.flatMap { $0.cells.flatMap { $0.blocks.flatMap(\.signatures) } }
        case .list(let list): return list.items.flatMap { $0.flatMap(\.signatures) }
        default: return []
        }
    }
}

extension Paragraph {
    var plainText: String {
        runs.map { run in
            switch run {
            case .text(let text, _): return text
            case .pageNumber: return "{page}"
            case .pageCount: return "{pages}"
            case .lineBreak: return "\n"
            }
        }.joined()
    }
}
