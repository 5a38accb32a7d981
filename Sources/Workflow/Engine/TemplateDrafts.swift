import Foundation
import Templates

/// What a template that does not compile got wrong, each problem with its code and its text
/// (`file:line:column: message`, the file named as the caller gave it).
struct DraftProblems: Error {
    let problems: [(code: TemplateError.Code, text: String)]
}

extension WorkflowEngine {
    /// The compiler's codes for a clause that is missing, not yet approved or itself wrong: a draft
    /// may wait on those (its clauses are approved before it is published), never on its own errors.
    static let clauseCodes: Set<TemplateError.Code> = [
        .clauseNotFound, .clauseVersionNotFound, .clauseUnpinned, .clauseUnapproved, .clauseOverridden, .clauseInvalid,
    ]

    /// Refuses a draft with errors of its own — malformed XML, unknown elements or attributes,
    /// bad values, undeclared fields in expressions, unknown styles or fonts — naming each at its
    /// line and column in `name`. Problems with its clauses (`clauseCodes`) are left for
    /// `publishTemplate`, which compiles against the clauses approved by then.
    static func checkDraft(source: Data, assets: [String: Data], name: String, clauses: [ClauseVersion]) throws {
        do {
            _ = try compileInScratch(source: source, assets: assets, clauses: clauses, name: name)
        } catch let failure as DraftProblems {
            let own = failure.problems.filter { !clauseCodes.contains($0.code) }
            guard own.isEmpty else {
                throw WorkflowError(.template, "\(name) does not compile, so it was not imported (fix the file and import it again): "
                                    + WorkflowError.listed(own.map(\.text)))
            }
        }
    }

    /// Compiles template XML in a scratch folder with `clauses` (their approval written into
    /// their XML, as the compiler checks it) and the template's images; the folder is removed
    /// after. Diagnostics name the template `name`, and clause files by their own names.
    static func compileInScratch(source: Data, assets: [String: Data], clauses: [ClauseVersion], name: String) throws -> CompiledTemplate {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("countersign-template-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The scratch file's own name is fixed: `name` may be anything a caller sent.
        let file = folder.appendingPathComponent("template-source.xml")
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("clauses"), withIntermediateDirectories: true)
            for clause in clauses {
                try approvedSource(clause).write(to: folder.appendingPathComponent("clauses/\(clause.clauseID)@\(clause.version).xml"))
            }
            for (path, bytes) in assets {
                let destination = folder.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try bytes.write(to: destination)
            }
            try source.write(to: file)
            return try TemplateCompiler(clauseLibrary: folder.appendingPathComponent("clauses")).compile(source: Array(source), path: file.path)
        } catch let error as TemplateError {
            throw DraftProblems(problems: error.diagnostics.map { diagnostic in
                (diagnostic.code, diagnostic.description.replacingOccurrences(of: file.path, with: name)
                    .replacingOccurrences(of: folder.path + "/", with: ""))
            })
        }
    }

    /// A clause file as a clause version: `approved` when the file carries `approved-by` and
    /// `approved-on` (the file library's own approval), else `proposed`. Nil: the root is not
    /// `<clause id="…" version="…">`. An approval the compiler would not accept — one attribute
    /// without the other, a blank approver, a date that is not `YYYY-MM-DD` or is after today —
    /// is refused rather than stored: stored as approved, the clause could never be used
    /// (publishing refuses it) nor approved again (a version never changes).
    static func clauseFromFile(_ source: Data, account: String, name: String, at now: Date) throws -> ClauseVersion? {
        let header = try XMLHeader.read(source, what: name)
        guard header.root == "clause", let id = header.attributes["id"], let version = header.attributes["version"],
              !id.isEmpty, !version.isEmpty else { return nil }
        var clause = ClauseVersion(account: account, clauseID: id, version: version, source: source, proposedAt: now)
        let by = header.attributes["approved-by"], on = header.attributes["approved-on"]
        guard by != nil || on != nil else { return clause }
        let fix = "; give both approved-by (the approver's name) and approved-on (YYYY-MM-DD), or neither to import it proposed "
            + "and approve it with `countersign clause approve`"
        guard let by, let on else {
            throw WorkflowError(.invalidRequest, "\(name): clause \(id)@\(version) has \(by == nil ? "approved-on" : "approved-by") "
                                + "without \(by == nil ? "approved-by" : "approved-on")" + fix)
        }
        let approver = by.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !approver.isEmpty else {
            throw WorkflowError(.invalidRequest, "\(name): clause \(id)@\(version) names no approver (approved-by is blank)" + fix)
        }
        try Check.visible(approver, "\(name): approved-by")
        guard let date = CalendarDate(iso: on), on.count == 10 else {
            throw WorkflowError(.invalidRequest, "\(name): clause \(id)@\(version): approved-on '\(on)' is not a date (YYYY-MM-DD)" + fix)
        }
        let today = String(EventTime.iso(now).prefix(10))
        guard date.description <= today else {
            throw WorkflowError(.invalidRequest, "\(name): clause \(id)@\(version) is approved on \(on), after today (\(today)); "
                                + "an approval records a decision already made")
        }
        clause.state = .approved
        clause.approvedBy = approver
        clause.approvedOn = on
        return clause
    }
}
