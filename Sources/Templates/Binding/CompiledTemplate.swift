public import Foundation
public import Typesetting
import InputChecks

/// A clause a template pins, as found in the library.
public struct PinnedClause: Sendable, Hashable {
    /// The clause id and the pinned version.
    public let id: String
    public let version: String
    /// The clause file's `title`, when it has one.
    public let title: String?
    /// Who approved this version, and when (`YYYY-MM-DD`).
    public let approvedBy: String
    public let approvedOn: String

    /// A pin as the compiler records it.
    public init(id: String, version: String, title: String?, approvedBy: String, approvedOn: String) {
        self.id = id; self.version = version; self.title = title; self.approvedBy = approvedBy; self.approvedOn = approvedOn
    }
}

/// A checked template with its clauses, ready to bind data rows into documents.
///
/// Immutable and `Sendable`: compile once, bind many rows on any number of threads. Binding does
/// no XML or file work.
public struct CompiledTemplate: Sendable {
    /// The template's `id` and `version` attributes.
    public let id: String
    public let version: String
    /// The declared fields, in declaration order.
    public var fields: [FieldDeclaration] { rules.map(\.declaration) }
    /// Signature roles in document order (each becomes a `sig_<role>` field).
    public let signatureRoles: [String]
    /// The signature roles every document of the template asks a signer for, in document order.
    public var requiredSignatureRoles: [String] { signatureRoles.filter { !optionalSignatureRoles.contains($0) } }
    /// The signature roles not every document requires: marked `required="false"`, or placed
    /// inside an `<if>` (a row's data decides whether the document has it).
    public let optionalSignatureRoles: Set<String>
    /// The fields signers fill besides their signature, in document order.
    public let signerFields: [SignerFieldDeclaration]
    /// The pinned clauses in pin order (first use in the document).
    public let clauses: [PinnedClause]
    /// SHA-256 (hex) over the template's bytes followed by each pinned clause file's bytes in pin order.
    public let sha256Hex: String
    /// The document language when `lang` is fixed (else the language `lang` gives per row; en-US if none).
    public let language: String
    /// Page size and margins.
    public let page: PageSetup

    let rules: [FieldRules]
    let parts: TemplateParts

    init(parts: TemplateParts, rules: [FieldRules], roles: [String], optionalRoles: Set<String> = [],
         signerFields: [SignerFieldDeclaration] = [], clauses: [PinnedClause], sha256Hex: String) {
        self.signerFields = signerFields
        self.optionalSignatureRoles = optionalRoles
        self.id = parts.id
        self.version = parts.version
        self.signatureRoles = roles
        self.clauses = clauses
        self.sha256Hex = sha256Hex
        self.language = parts.language
        self.page = parts.page
        self.rules = rules
        self.parts = parts
    }

    /// Keys of `data` that are not declared fields (a typo such as `nmae` would leave a field
    /// blank): one `.unknownField` diagnostic each, with the closest field suggested.
    public func unknownKeys(in data: [String: TemplateValue]) -> [Diagnostic] {
        let names = rules.map(\.declaration.name)
        let declared = Set(names)
        return data.keys.sorted().filter { !declared.contains($0) }.map { key in
            let hint = Suggestions.hint(for: key, in: names)
            return Diagnostic(.unknownField, "'\(key)' is not a field of template \(id)"
                              + (hint.isEmpty ? "; its fields are \(names.joined(separator: ", "))" : hint), field: key)
        }
    }

    /// Keys of `keys` that look like a declared field misspelled: not declared, but close to a
    /// declared field the same data does not give (`industy` when `industry` is missing). Extra
    /// keys close to no field — a bulk CSV's signer columns — are left alone; a typo is not,
    /// since the field it meant would silently stay empty and its clauses out.
    public func misspelledKeys(in keys: some Collection<String>) -> [Diagnostic] {
        let names = rules.map(\.declaration.name)
        let given = Set(keys)
        let missing = names.filter { !given.contains($0) }
        return keys.sorted().filter { !names.contains($0) }.compactMap { key in
            guard let meant = Suggestions.closest(to: key, in: missing) else { return nil }
            return Diagnostic(.unknownField, "'\(key)' is not a field of template \(id); did you mean '\(meant)'? "
                              + "(it is not in the data, so it would stay empty)", field: key)
        }
    }

    /// The provenance entries written to the PDF's Info dictionary.
    public var provenance: [String: String] {
        ["CountersignTemplateID": id, "CountersignTemplateVersion": version, "CountersignTemplateSHA256": sha256Hex,
         "CountersignClauses": clauses.map { "\($0.id)@\($0.version)" }.joined(separator: " ")]
    }

    /// Checks a row against the declared fields (required, types, enum values, min/max, pattern)
    /// and returns every problem, each naming its field and the constraint.
    public func validate(_ data: [String: TemplateValue]) -> [Diagnostic] {
        DataCoercion.validate(data, rules: rules, language: language).1
    }

    /// Converts CSV text cells to typed values by the declared field types, strictly: integer is
    /// an optional sign and digits, decimal/money add an optional `.` fraction, date is
    /// `YYYY-MM-DD`, boolean is true/false/yes/no/1/0, list and object are JSON text. Empty cells
    /// and absent columns become null; columns that are not fields are left out.
    public func coerce(row: [String: String]) -> ([String: TemplateValue], [Diagnostic]) {
        var values: [String: TemplateValue] = [:]
        var problems: [Diagnostic] = []
        for rule in rules {
            let field = rule.declaration
            guard let cell = row[field.name], !cell.trimmed.isEmpty else {
                values[field.name] = .null
                continue
            }
            switch DataCoercion.coerce(cell, to: field.type, language: language) {
            case .success(let value): values[field.name] = value
            case .failure(let failure):
                problems.append(Diagnostic(.wrongType, failure.message, field: field.name))
                values[field.name] = .null
            }
        }
        return (values, problems)
    }

    /// The language of the document made from `data` (typed values, as ``coerce(row:)`` gives
    /// them): the template's `lang`, with the field it names filled in; the template's default
    /// when that is not a language tag (binding reports that).
    public func documentLanguage(for data: [String: TemplateValue]) -> String {
        guard let languageTemplate = parts.languageTemplate else { return language }
        let chosen = languageTemplate.render(in: Scope(data: data, locals: [], today: .null), language: language)
        return ValueFormatter.localeProblem(chosen) == nil ? chosen : language
    }

    /// Binds one row: validates it, evaluates conditions and loops, fills in text, and returns
    /// the document to typeset. `date` (ISO 8601, `YYYY-MM-DD` or a date-time) becomes the
    /// document date (`today` in expressions, and the metadata dates); without it `today` is the
    /// current date in `timeZone` and the metadata carries no date.
    public func bind(_ data: [String: TemplateValue], date: String? = nil,
                     timeZone: TimeZone = .current) throws(TemplateError) -> DocumentSpec {
        var (values, problems) = DataCoercion.validate(data, rules: rules, language: language)
        problems += unknownKeys(in: data)
        var today = TemplateValue.null
        if date == nil {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let parts = calendar.dateComponents([.year, .month, .day], from: Date())
            if let year = parts.year, let month = parts.month, let day = parts.day,
               let now = CalendarDate(year: year, month: month, day: day) {
                today = .date(now)
            }
        }
        var dateProblems: [Diagnostic] = []
        if let date {
            if let day = CalendarDate(iso: date.prefix(10)), CalendarDate.parseDateTime(date) != nil {
                today = .date(day)
            } else {
                dateProblems.append(Diagnostic(.invalidValue, "document date '\(date)' is not ISO 8601; expected "
                                               + "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))
            }
        }
        guard problems.isEmpty, dateProblems.isEmpty else { throw TemplateError(problems + dateProblems) }
        var binder = Binder(scope: Scope(data: values, locals: [], today: today), language: language)
        if let languageTemplate = parts.languageTemplate {
            let chosen = languageTemplate.render(in: binder.scope, language: language)
            if let problem = ValueFormatter.localeProblem(chosen) {
                binder.problems.append(Diagnostic(.evaluation, "lang: \(problem)", element: "template"))
            } else {
                binder.language = chosen
            }
        }
        var info = DocumentInfo()
        info.title = binder.attribute(parts.title)
        info.author = binder.attribute(parts.author)
        info.subject = binder.attribute(parts.subject)
        info.keywords = binder.attribute(parts.keywords)
        info.language = binder.language
        info.date = date
        info.custom = provenance
        let header = binder.blocks(parts.header)
        let footer = binder.blocks(parts.footer)
        binder.numberHeadings = parts.numberHeadings
        let body = binder.blocks(parts.body)
        guard binder.problems.isEmpty else { throw TemplateError(binder.problems) }
        return DocumentSpec(page: page, header: header, footer: footer, body: body, info: info)
    }
}
