import Foundation
import Templates

/// One line of manifest.jsonl: a row that became a PDF. Keys are written in a fixed order
/// (row first), so shard manifests merge with `sort -t: -k2,2n` and lines are byte-identical
/// between an interrupted-and-resumed run and an uninterrupted one.
struct ManifestEntry: Sendable {
    var row: Int
    var file: String
    /// Key fields (name, text) in the order configured.
    var keys: [(String, String)]
    var pages: Int
    var bytes: Int
    var sha256: String
    var template: String
    var templateSHA256: String
    var inputSHA256: String

    /// The JSON line, without the newline.
    var line: String {
        var out = "{\"row\":\(row),\"file\":" + JSONText.quoted(file) + ",\"keys\":{"
        out += keys.map { JSONText.quoted($0.0) + ":" + JSONText.quoted($0.1) }.joined(separator: ",")
        out += "},\"pages\":\(pages),\"bytes\":\(bytes),\"sha256\":\"\(sha256)\",\"template\":" + JSONText.quoted(template)
        out += ",\"template_sha256\":\"\(templateSHA256)\",\"input_sha256\":\"\(inputSHA256)\"}"
        return out
    }
}

/// A line of the journal (or of an earlier manifest) as read back: what resuming needs.
struct RecordedLine: Sendable {
    var row: Int
    /// The manifest line as written (reused verbatim when the file still checks out).
    var text: String
    /// Present for rows that became PDFs.
    var file: String?
    var sha256: String?
    var inputSHA256: String?
    /// Present for rows that failed.
    var problems: [RowProblem]

    /// Parses one line; nil for anything that is not a whole record (e.g. a line cut by a crash).
    init?(_ text: String) {
        guard text.hasPrefix("{\"row\":"), case .object(let object)? = try? TemplateValue.fromJSON(text),
              case .number(let number)? = object["row"] else { return nil }
        let row = NSDecimalNumber(decimal: number).intValue
        guard row > 0 else { return nil }
        self.row = row
        self.text = text
        problems = []
        if case .list(let errors)? = object["errors"] {
            for case .object(let error) in errors {
                func string(_ key: String) -> String? {
                    if case .string(let value)? = error[key] { return value }
                    return nil
                }
                var line: Int? = nil
                if case .number(let value)? = error["line"] { line = NSDecimalNumber(decimal: value).intValue }
                problems.append(RowProblem(row: row, line: line, column: string("column"), field: string("field"),
                                           message: string("message") ?? ""))
            }
            guard !problems.isEmpty else { return nil }
        } else {
            guard case .string(let file)? = object["file"], case .string(let sha)? = object["sha256"],
                  case .string(let input)? = object["input_sha256"] else { return nil }
            self.file = file
            sha256 = sha
            inputSHA256 = input
        }
    }

    /// The journal line of a failed row.
    static func errorLine(row: Int, problems: [RowProblem]) -> String {
        let items = problems.map { problem -> String in
            var members: [String] = []
            if let line = problem.line { members.append("\"line\":\(line)") }
            if let column = problem.column { members.append("\"column\":" + JSONText.quoted(column)) }
            if let field = problem.field { members.append("\"field\":" + JSONText.quoted(field)) }
            members.append("\"message\":" + JSONText.quoted(problem.message))
            return "{" + members.joined(separator: ",") + "}"
        }
        return "{\"row\":\(row),\"errors\":[" + items.joined(separator: ",") + "]}"
    }
}

/// errors.csv: `row,line,column,field,message`, one line per problem (a row may have several),
/// each record on one physical line so shard files merge with `sort -t, -k1,1n -s`.
enum ErrorsCSV {
    static let header = "row,line,column,field,message\n"

    static func line(_ problem: RowProblem) -> String {
        [String(problem.row), problem.line.map(String.init) ?? "", cell(problem.column), cell(problem.field),
         cell(problem.message)].joined(separator: ",") + "\n"
    }

    /// One CSV cell: single-line, quoted when needed, and defused against spreadsheet formula
    /// injection (a leading `=`, `+`, `-` or `@` gets a `'`), since exports are opened in Excel.
    static func cell(_ text: String?) -> String {
        guard var text, !text.isEmpty else { return "" }
        text = String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t"].contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" }) || text.hasPrefix(" ") || text.hasSuffix(" ") else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Minimal JSON text for the lines this module writes.
enum JSONText {
    static func quoted(_ string: String) -> String {
        var out = "\""
        out.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
