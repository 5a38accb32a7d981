import ArgumentParser
import Countersign
import Foundation

/// `countersign inspect FILE [--json] [--find-text TEXT] [--strict] [--repair]`
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a PDF's revisions, pages, form fields, signatures and metadata.")

    @Argument(help: "The PDF file to inspect ('-': standard input).")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(name: .customLong("find-text"), help: "Also report the page and rectangle of each occurrence of this text.")
    var findText: String?

    @Flag(help: "Read strictly: every structural anomaly is an error (what verification uses).")
    var strict = false

    @Flag(help: "Rebuild a broken cross-reference by scanning the file (tolerant reading only).")
    var repair = false

    @OptionGroup var documentPassword: DocumentPasswordOptions

    func validate() throws {
        if strict && repair { throw ValidationError("--strict and --repair cannot be combined: strict reading never repairs.") }
    }

    func run() throws {
        try reportingErrors(json: json, file: StandardStreams.display(file)) {
            let (url, cleanup) = try StandardStreams.spool(file, suffix: ".pdf", what: "the PDF to inspect")
            defer { cleanup() }
            let inspector = Inspector(mode: strict ? .strict : .tolerant(reconstruct: repair), password: try documentPassword.read())
            let document = try inspector.open(path: url.path)
            var report = try inspector.inspect(document, name: StandardStreams.display(file))
            if let findText { report.textMatches = try inspector.textMatches(of: findText, path: url.path) }
            if json {
                report.writeJSON(appendingNewline: true) { writeStandardOutput($0) }
            } else {
                print(InspectionText.render(report))
            }
            cleanup()
            exitSuccessfully(keepingAlive: document, report)
        }
    }
}

/// The human-readable form of an inspection report.
enum InspectionText {
    static func render(_ report: InspectionReport) -> String {
        var lines: [String] = []
        lines.append("\(report.file): PDF \(report.version), \(report.bytes) bytes, \(report.pages) page\(report.pages == 1 ? "" : "s")")
        if report.reconstructed { lines.append("  cross-reference rebuilt by scanning (the file is damaged)") }
        lines.append("Revisions:")
        for revision in report.revisions {
            lines.append("  #\(revision.index)  bytes \(revision.startOffset)–\(revision.endOffset)  xref \(revision.xref) at \(revision.xrefOffset)  \(revision.objects.count) object(s) defined, \(revision.freed.count) freed")
        }
        let sizes = Dictionary(grouping: report.pageSizes) { "\(format($0.width)) × \(format($0.height)) pt" + ($0.rotation != 0 ? ", rotated \($0.rotation)°" : "") }
        lines.append("Page sizes:")
        for (size, pages) in sizes.sorted(by: { $0.value[0].page < $1.value[0].page }) {
            lines.append("  \(size): \(pages.count) page\(pages.count == 1 ? "" : "s")")
        }
        if !report.fields.isEmpty {
            lines.append("Fields:")
            for field in report.fields {
                var line = "  \(field.name)  \(field.type)"
                if let page = field.page { line += "  page \(page)" }
                if let rect = field.rect { line += "  [" + rect.map(format).joined(separator: " ") + "]" }
                if field.type == "signature" { line += field.signed ? "  signed" : "  unsigned" }
                if let value = field.value { line += "  = \(value)" }
                lines.append(line)
            }
        }
        if !report.signatures.isEmpty {
            lines.append("Signatures:")
            for signature in report.signatures {
                let range = signature.byteRange.map { "[" + $0.map(String.init).joined(separator: " ") + "]" } ?? "none"
                let covers = signature.coversWholeFile ? "whole file"
                    : signature.revision.map { "revision \($0) of \(report.revisions.count)" } ?? "no revision end"
                lines.append("  \(signature.field)  \(signature.subFilter ?? "no /SubFilter")  ByteRange \(range)  covers \(covers)")
            }
        }
        if !report.embeddedFiles.isEmpty {
            lines.append("Embedded files:")
            for file in report.embeddedFiles {
                var line = "  \(file.name)"
                if let bytes = file.bytes { line += "  \(bytes) bytes" }
                if let mime = file.mimeType { line += "  \(mime)" }
                if let relationship = file.relationship { line += "  /AFRelationship \(relationship)" }
                if let description = file.description { line += "  — \(description)" }
                lines.append(line)
            }
        }
        if !report.metadata.isEmpty {
            lines.append("Metadata:")
            for (key, value) in report.metadata.sorted(by: { $0.key < $1.key }) { lines.append("  \(key): \(value)") }
        }
        if let matches = report.textMatches {
            lines.append("Text matches: \(matches.count)")
            for match in matches {
                lines.append("  page \(match.page)  [" + match.rect.map(format).joined(separator: " ") + "]")
            }
        }
        if !report.warnings.isEmpty {
            lines.append("Warnings:")
            for warning in report.warnings { lines.append("  \(warning)") }
        }
        return lines.joined(separator: "\n")
    }

    /// A coordinate for people: whole numbers without decimals. A file may write any number
    /// (1e19, a NaN from 0/0 in its own arithmetic): those print as they are, never trap.
    static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        return value.rounded() == value ? String(Int(value)) : String(format: "%.2f", value)
    }
}
