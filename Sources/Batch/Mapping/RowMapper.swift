import Foundation
import Templates

/// One thing wrong with one input row: where it is and what was expected.
public struct RowProblem: Sendable, Hashable, CustomStringConvertible {
    /// 1-based data row (the header is not a row).
    public var row: Int
    /// 1-based physical line the row starts on, when it came from the CSV.
    public var line: Int?
    /// The CSV column (header name), when the problem is in one.
    public var column: String?
    /// The template field, when the problem is about one.
    public var field: String?
    /// What was wrong and what was expected.
    public var message: String

    /// A problem record.
    public init(row: Int, line: Int?, column: String?, field: String?, message: String) {
        self.row = row; self.line = line; self.column = column; self.field = field; self.message = message
    }

    /// `row 12 (line 14), field 'contact_email' (column 'Email'): message`.
    public var description: String {
        var text = "row \(row)"
        if let line { text += " (line \(line))" }
        if let field {
            text += ", field '\(field)'"
            if let column, column != field { text += " (column '\(column)')" }
        } else if let column {
            text += ", column '\(column)'"
        }
        return text + ": " + message
    }
}

/// Turns CSV records into the typed values a template binds, by a mapping checked once against
/// the template's declared fields and the CSV header. Immutable and `Sendable`.
struct RowMapper: Sendable {
    private struct Plan: Sendable {
        enum Source: Sendable {
            case column(index: Int, name: String)
            case constant(TemplateValue)
            case none
        }
        var field: FieldDeclaration
        var source: Source
        var readType: FieldDeclaration.FieldType
        var format: CellFormat
        var defaultValue: TemplateValue?
        var keys: [String: String]

        var columnName: String? {
            if case .column(_, let name) = source { return name }
            return nil
        }
    }

    let template: CompiledTemplate
    private let plans: [Plan]
    /// Optional fields that read no column while a column no field reads is close to their name
    /// (`contact_phnoe` for `contact_phone`): almost always a typo in the export's header, and
    /// otherwise the field would be silently empty in every row.
    let headerWarnings: [String]

    /// Checks `mapping` (nil: every field reads the column of its own name) against the template
    /// and the header; a field or column that does not exist is a `.mapping` error. `csvPath`
    /// names the CSV in errors about the file itself.
    init(template: CompiledTemplate, mapping: BatchMapping?, header: [String], mappingPath: String = "mapping",
         csvPath: String = "the CSV") throws(BatchError) {
        self.template = template
        let declared = Dictionary(template.fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for name in (mapping?.fields.keys.sorted() ?? []) where declared[name] == nil {
            problems.append("field '\(name)' is not declared by template \(template.id); it declares "
                            + template.fields.map(\.name).joined(separator: ", ") + suggestion(for: name, in: template.fields.map(\.name)))
        }
        func columnIndex(_ name: String, for field: String) -> Int? {
            let matches = header.indices.filter { header[$0] == name }
            if matches.count > 1 {
                problems.append("field '\(field)': column '\(name)' appears \(matches.count) times in the CSV header "
                                + "(columns \(matches.map { String($0 + 1) }.joined(separator: ", "))); rename one")
            }
            return matches.first
        }
        var plans: [Plan] = []
        for field in template.fields {
            var plan = Plan(field: field, source: .none, readType: field.type, format: .standard, defaultValue: nil, keys: [:])
            if let entry = mapping?.fields[field.name] {
                plan.readType = entry.type ?? field.type
                plan.format = entry.format
                plan.keys = entry.keys
                switch entry.source {
                case .column(let name):
                    if let index = columnIndex(name, for: field.name) {
                        plan.source = .column(index: index, name: name)
                    } else {
                        problems.append("field '\(field.name)': column '\(name)' is not in the CSV header; it has "
                                        + header.map { "'\($0)'" }.joined(separator: ", ") + suggestion(for: name, in: header))
                    }
                case .constant(let value):
                    plan.source = .constant(value)
                }
                if let problem = Self.compatibility(of: plan) { problems.append("field '\(field.name)': \(problem)") }
                if let given = entry.defaultValue {
                    switch Self.prepare(given, plan: plan, template: template) {
                    case .success(let value): plan.defaultValue = value
                    case .failure(let failure): problems.append("field '\(field.name)': default: \(failure.message)")
                    }
                }
                if case .constant(let value) = plan.source {
                    switch Self.prepare(value, plan: plan, template: template) {
                    case .success(let value): plan.source = .constant(value)
                    case .failure(let failure): problems.append("field '\(field.name)': value: \(failure.message)")
                    }
                }
            } else if let index = columnIndex(field.name, for: field.name) {
                plan.source = .column(index: index, name: field.name)
            }
            if case .none = plan.source, field.isRequired, field.defaultValue == nil, plan.defaultValue == nil {
                problems.append("required field '\(field.name)' has no column in the CSV and no default; "
                                + (mapping == nil ? "name a column '\(field.name)' in the CSV's header, or map one to it with --map FILE"
                                                  : "map it to a column in the mapping file")
                                + suggestion(for: field.name, in: header))
            }
            plans.append(plan)
        }
        for name in mapping?.manifestKeys ?? [] where declared[name] == nil {
            problems.append("manifest_keys: '\(name)' is not a template field" + suggestion(for: name, in: Array(declared.keys)))
        }
        if !problems.isEmpty, header.count == 1, let separator = [";", "\t", "|"].first(where: { header[0].contains($0) }) {
            // One column whose name holds the separator: the whole header is one cell.
            let name = separator == "\t" ? "tab" : "'\(separator)'"
            throw BatchError(.mapping, "\(csvPath): the header row is one column holding \(name) characters: the file looks "
                             + "\(name)-separated, and countersign reads comma-separated CSV "
                             + "(RFC 4180); export it with commas (in Excel: \"CSV UTF-8 (Comma delimited)\")")
        }
        guard problems.isEmpty else {
            throw BatchError(.mapping, problems.map { "\(mappingPath): \($0)" }.joined(separator: "\n"))
        }
        self.plans = plans
        let read = Set(plans.compactMap(\.columnName))
        let unread = header.filter { !read.contains($0) && declared[$0] == nil }
        headerWarnings = plans.compactMap { plan in
            guard case .none = plan.source, let column = closestName(to: plan.field.name, in: unread) else { return nil }
            return "field '\(plan.field.name)' has no column, so it is empty in every row; column '\(column)' is read by no field — "
                + "if it is meant for '\(plan.field.name)', rename it in the header or map it in the mapping file"
        }
    }

    /// Why a plan cannot work (a read type the field cannot take, a format for another type).
    private static func compatibility(of plan: Plan) -> String? {
        let target = plan.field.type, read = plan.readType
        let numeric: Set<FieldDeclaration.FieldType> = [.integer, .decimal, .money]
        let fits = read == target || target == .text || target == .enumeration || read == .text
            || (numeric.contains(read) && numeric.contains(target)) || (read == .date && target == .datetime)
        if !fits { return "type \(read.rawValue) does not fit the template's \(target.rawValue) field" }
        if !plan.format.fits(read) { return "the format does not apply to \(read.rawValue) values" }
        if !plan.keys.isEmpty, read != .list, read != .object { return "keys applies to list and object fields only" }
        return nil
    }

    /// A constant or default from the mapping file, read like a cell and checked by the field's rules.
    private static func prepare(_ value: TemplateValue, plan: Plan, template: CompiledTemplate) -> Result<TemplateValue, CellProblem> {
        var value = value
        if case .string(let text) = value {
            switch read(text, plan: plan) {
            case .success(let read): value = read
            case .failure(let failure): return .failure(failure)
            }
        } else if !plan.keys.isEmpty {
            value = rename(value, keys: plan.keys)
        }
        let problems = template.validate([plan.field.name: value]).filter { $0.field == plan.field.name }
        if let first = problems.first { return .failure(CellProblem(first.message)) }
        return .success(value)
    }

    /// Reads a non-empty cell by the plan's type and format, renaming JSON keys when asked.
    private static func read(_ text: String, plan: Plan) -> Result<TemplateValue, CellProblem> {
        switch plan.format.read(text, as: plan.readType) {
        case .failure(let failure): return .failure(failure)
        case .success(let value):
            guard !plan.keys.isEmpty, case .string(let json) = value else { return .success(value) }
            guard let parsed = try? TemplateValue.fromJSON(json) else {
                return .failure(CellProblem("the value is not valid JSON; expected a JSON \(plan.readType == .list ? "array" : "object")"))
            }
            return .success(rename(parsed, keys: plan.keys))
        }
    }

    /// Renames object members (in a list's objects too): template key ← source key.
    private static func rename(_ value: TemplateValue, keys: [String: String]) -> TemplateValue {
        switch value {
        case .list(let items): return .list(items.map { rename($0, keys: keys) })
        case .object(var members):
            for (target, source) in keys.sorted(by: { $0.key < $1.key }) {
                if let moved = members.removeValue(forKey: source) { members[target] = moved }
            }
            return .object(members)
        default: return value
        }
    }
}

extension RowMapper {
    /// A row's values ready to bind, or what is wrong with it.
    struct MappedRow {
        var values: [String: TemplateValue]
        var problems: [RowProblem]
    }

    /// The CSV column a field reads, for error records.
    func column(of field: String) -> String? {
        plans.first { $0.field.name == field }?.columnName
    }

    /// The field that reads a CSV column, for error records about a cell.
    func field(readingColumn column: String) -> String? {
        plans.first { $0.columnName == column }?.field.name
    }

    /// A bind or typesetting diagnostic about a row, as the error report records it.
    func problem(row: Int, _ diagnostic: Diagnostic) -> RowProblem {
        RowProblem(row: row, line: nil, column: diagnostic.field.flatMap(column(of:)),
                   field: diagnostic.field ?? diagnostic.element.map { "<\($0)>" }, message: clipped(diagnostic.message))
    }

    /// A record the CSV reader could not read, as the error report records it.
    func problem(_ failure: CSVRowError, header: [String]) -> RowProblem {
        let column = failure.column.flatMap { $0 >= 1 && $0 <= header.count ? header[$0 - 1] : nil }
        return RowProblem(row: failure.row, line: failure.line, column: column,
                          field: column.flatMap { field(readingColumn: $0) }, message: failure.message)
    }

    /// Reads a record's cells by the plans, then checks the row against the template's rules
    /// (required, types, enum values, min/max, patterns): every problem, in field order.
    func map(_ record: CSVRecord) -> MappedRow {
        var values: [String: TemplateValue] = [:]
        var problems: [RowProblem] = []
        var unreadable: Set<String> = []
        for plan in plans {
            var value = plan.defaultValue ?? .null
            switch plan.source {
            case .column(let index, let name):
                let cell = index < record.fields.count ? record.fields[index] : ""
                if !cell.allSatisfy(\.isWhitespace) {
                    switch Self.read(cell, plan: plan) {
                    case .success(let read): value = read
                    case .failure(let failure):
                        problems.append(RowProblem(row: record.row, line: record.line, column: name, field: plan.field.name,
                                                   message: clipped(failure.message)))
                        unreadable.insert(plan.field.name)
                        value = .null
                    }
                }
            case .constant(let constant):
                value = constant
            case .none:
                break
            }
            values[plan.field.name] = value
        }
        for diagnostic in template.validate(values) {
            if let field = diagnostic.field, unreadable.contains(field) { continue }
            problems.append(RowProblem(row: record.row, line: record.line, column: diagnostic.field.flatMap(column(of:)),
                                       field: diagnostic.field, message: clipped(diagnostic.message)))
        }
        return MappedRow(values: values, problems: problems)
    }
}

/// A message cut to a readable length (values in messages can be 10 000 characters long).
func clipped(_ message: String, limit: Int = 400) -> String {
    guard message.count > limit else { return message }
    return String(message.prefix(limit)) + "…"
}
