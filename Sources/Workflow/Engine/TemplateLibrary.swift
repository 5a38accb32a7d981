public import Foundation
import InputChecks
import Templates

extension WorkflowEngine {
    static let libraryStream = "library"

    /// Imports a template file as a draft version (role legal), with the images it names from its folder.
    public func importTemplate(_ principal: Principal, file: URL) async throws -> TemplateVersion {
        let (source, assets) = try Self.readTemplateFile(file)
        return try await importTemplate(principal, source: source, assets: assets, name: file.lastPathComponent)
    }

    /// A template file's XML and the images it names from its folder.
    static func readTemplateFile(_ file: URL) throws -> (source: Data, assets: [String: Data]) {
        guard let source = FileManager.default.contents(atPath: file.path) else {
            throw WorkflowError(.invalidRequest, "cannot read the template file \(file.path)")
        }
        let header = try XMLHeader.read(source, what: file.lastPathComponent)
        var assets: [String: Data] = [:]
        for path in header.imageSources {
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains(".."),
                  let bytes = FileManager.default.contents(atPath: file.deletingLastPathComponent().appendingPathComponent(path).path) else {
                throw WorkflowError(.invalidRequest, "\(file.lastPathComponent): the image '\(path)' is not a readable file beside the template")
            }
            assets[path] = bytes
        }
        return (source, assets)
    }

    /// Imports template XML as a draft version (role legal). The `id` and `version` attributes
    /// of its root name the version; the same source again returns the stored version
    /// unchanged (re-importing a library is idempotent), other content under an existing
    /// version is a `conflict` naming it. A draft must compile but for its clauses (`checkDraft`):
    /// one with its own errors is refused, naming each at its line and column, and nothing is stored.
    public func importTemplate(_ principal: Principal, source: Data, assets: [String: Data] = [:],
                               name: String = "template") async throws -> TemplateVersion {
        try await importTemplate(principal, source: source, assets: assets, name: name, checked: false)
    }

    /// `checked`: `importLibrary` has already checked the draft (`checkDraft`) with the folder's clauses.
    func importTemplate(_ principal: Principal, source: Data, assets: [String: Data], name: String,
                        checked: Bool) async throws -> TemplateVersion {
        try principal.require(.legal, to: "import templates")
        let header = try XMLHeader.read(source, what: name)
        guard header.root == "template", let id = header.attributes["id"], let version = header.attributes["version"],
              !id.isEmpty, !version.isEmpty else {
            throw WorkflowError(.invalidRequest, "\(name): the root must be <template id=\"…\" version=\"…\">")
        }
        if let existing = try await store.templateVersion(account: principal.account, templateID: id, version: version) {
            // Importing the same file again (a library re-imported with one template added)
            // changes nothing; other content under the same version would change a record that
            // envelopes and evidence name, so it is refused naming both.
            guard existing.source == source, existing.assets == assets else {
                throw WorkflowError(.conflict, "\(name): template \(id)@\(version) is already in the library (\(existing.state.rawValue)) "
                                    + "with other content (stored source SHA-256 \(sha256Hex(existing.source).prefix(16))…, this file's "
                                    + "\(sha256Hex(source).prefix(16))…); a version never changes: give the file a new version attribute")
            }
            return existing
        }
        if !checked {
            let approved = try await store.clauseVersions(account: principal.account, clauseID: nil).filter { $0.state == .approved }
            try Self.checkDraft(source: source, assets: assets, name: name, clauses: approved)
        }
        var draft = TemplateVersion(account: principal.account, templateID: id, version: version, source: source,
                                    createdAt: clock.now(), createdBy: principal.keyID)
        draft.assets = assets
        try await commitLibrary(principal.account, template: draft, event: "template.imported", actor: principal.actor,
                                data: ["template": draft.reference, "sourceSHA256": sha256Hex(source)])
        return draft
    }

    /// Imports a clause file (role legal): `proposed`, or `approved` when the file already
    /// carries `approved-by` and `approved-on` (the file library's own approval).
    public func importClause(_ principal: Principal, source: Data, name: String = "clause") async throws -> ClauseVersion {
        try principal.require(.legal, to: "import clauses")
        guard let clause = try Self.clauseFromFile(source, account: principal.account, name: name, at: clock.now()) else {
            throw WorkflowError(.invalidRequest, "\(name): the root must be <clause id=\"…\" version=\"…\">")
        }
        let id = clause.clauseID, version = clause.version
        if let existing = try await store.clauseVersion(account: principal.account, clauseID: id, version: version) {
            guard existing.source == source else {
                throw WorkflowError(.conflict, "\(name): clause \(id)@\(version) is already in the library (\(existing.state.rawValue)) "
                                    + "with other text (stored source SHA-256 \(sha256Hex(existing.source).prefix(16))…, this file's "
                                    + "\(sha256Hex(source).prefix(16))…); an approved text never changes: give the file a new version attribute")
            }
            return existing
        }
        try await commitLibrary(principal.account, clause: clause, event: "clause.imported", actor: principal.actor,
                                data: ["clause": clause.reference, "state": clause.state.rawValue, "sourceSHA256": sha256Hex(source)],
                                personal: clause.approvedBy.map { ["approvedBy": $0] } ?? [:])
        return clause
    }

    /// Imports a library folder: `clauses/*.xml`, then every `*.xml` template (drafts).
    public func importLibrary(_ principal: Principal, directory: URL) async throws -> (templates: [TemplateVersion], clauses: [ClauseVersion]) {
        func files(_ folder: URL) -> [URL] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".xml") }.sorted()
                .map { folder.appendingPathComponent($0) }
        }
        try principal.require(.legal, to: "import templates")
        var clauseFiles: [(name: String, source: Data)] = []
        for file in files(directory.appendingPathComponent("clauses")) {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw WorkflowError(.invalidRequest, "cannot read \(file.path)")
            }
            clauseFiles.append((file.lastPathComponent, data))
        }
        // Every template is checked before anything is stored, against the clauses approved in
        // the account and in the folder: one template with its own errors leaves the library as it was.
        let templateFiles = try files(directory).map { file in (name: file.lastPathComponent, read: try Self.readTemplateFile(file)) }
        var approved = try await store.clauseVersions(account: principal.account, clauseID: nil).filter { $0.state == .approved }
        for (name, source) in clauseFiles {
            if let clause = try Self.clauseFromFile(source, account: principal.account, name: name, at: clock.now()), clause.state == .approved,
               !approved.contains(where: { $0.reference == clause.reference }) {
                approved.append(clause)
            }
        }
        for file in templateFiles {
            do {
                try Self.checkDraft(source: file.read.source, assets: file.read.assets, name: file.name, clauses: approved)
            } catch let error as WorkflowError {
                // The whole folder is refused, not only this file: say so.
                throw WorkflowError(error.code, error.reason.replacingOccurrences(
                    of: "so it was not imported (fix the file and import it again)",
                    with: "so nothing from \(directory.lastPathComponent)/ was imported, none of its \(templateFiles.count) template(s) "
                        + "and \(clauseFiles.count) clause(s) (fix the file and import the folder again)"))
            }
        }
        var clauses: [ClauseVersion] = []
        for (name, source) in clauseFiles { clauses.append(try await importClause(principal, source: source, name: name)) }
        var templates: [TemplateVersion] = []
        for file in templateFiles {
            templates.append(try await importTemplate(principal, source: file.read.source, assets: file.read.assets, name: file.name,
                                                      checked: true))
        }
        return (templates, clauses)
    }

    /// Approves a proposed clause version (role legal), recording the approver and the date.
    public func approveClause(_ principal: Principal, clauseID: String, version: String) async throws -> ClauseVersion {
        try principal.require(.legal, to: "approve clauses")
        guard var clause = try await store.clauseVersion(account: principal.account, clauseID: clauseID, version: version) else {
            throw WorkflowError(.notFound, "no clause \(clauseID)@\(version) in this account")
        }
        guard clause.state == .proposed else {
            throw WorkflowError(.illegalTransition, "clause \(clause.reference) is already approved")
        }
        let now = clock.now()
        clause.state = .approved
        clause.approvedBy = principal.onBehalfOf ?? principal.keyID
        clause.approvedOn = String(EventTime.iso(now).prefix(10))
        clause.revision += 1
        try await commitLibrary(principal.account, clause: clause, event: "clause.approved", actor: principal.actor,
                                data: ["clause": clause.reference, "approvedOn": clause.approvedOn ?? ""],
                                personal: ["approvedBy": clause.approvedBy ?? ""])
        return clause
    }

    /// Publishes a draft template version (role legal): it must compile against the account's
    /// approved clauses; its compiled hash is recorded and it never changes again.
    public func publishTemplate(_ principal: Principal, templateID: String, version: String) async throws -> TemplateVersion {
        try principal.require(.legal, to: "publish templates")
        guard var template = try await store.templateVersion(account: principal.account, templateID: templateID, version: version) else {
            throw WorkflowError(.notFound, "no template \(templateID)@\(version) in this account")
        }
        guard template.state == .draft else {
            throw WorkflowError(.illegalTransition, "template \(template.reference) is \(template.state.rawValue); only a draft can be published")
        }
        let compiled = try await compile(template)
        template.state = .published
        template.sha256 = compiled.sha256Hex
        template.publishedAt = clock.now()
        template.publishedBy = principal.keyID
        template.revision += 1
        try await commitLibrary(principal.account, template: template, event: "template.published", actor: principal.actor,
                                data: ["template": template.reference, "sha256": compiled.sha256Hex,
                                       "clauses": compiled.clauses.map { "\($0.id)@\($0.version)" }.joined(separator: " ")])
        return template
    }

    /// Retires a published template version (role legal): no new envelope may use it.
    public func retireTemplate(_ principal: Principal, templateID: String, version: String) async throws -> TemplateVersion {
        try principal.require(.legal, to: "retire templates")
        guard var template = try await store.templateVersion(account: principal.account, templateID: templateID, version: version) else {
            throw WorkflowError(.notFound, "no template \(templateID)@\(version) in this account")
        }
        guard template.state == .published else {
            throw WorkflowError(.illegalTransition, "template \(template.reference) is \(template.state.rawValue); only a published version can be retired")
        }
        template.state = .retired
        template.retiredAt = clock.now()
        template.revision += 1
        try await commitLibrary(principal.account, template: template, event: "template.retired", actor: principal.actor,
                                data: ["template": template.reference])
        return template
    }

    /// Commits a library change with its event chained after the library stream's head.
    func commitLibrary(_ account: String, template: TemplateVersion? = nil, clause: ClauseVersion? = nil, event type: String,
                       actor: EventActor, data: [String: String], personal: [String: String] = [:]) async throws {
        let head = try await store.events(account: account, stream: Self.libraryStream).last
        let event = WorkflowEvent.make(account: account, stream: Self.libraryStream, sequence: (head?.sequence ?? 0) + 1,
                                       type: type, at: clock.now(), actor: actor, data: data, personal: personal,
                                       previousHash: head?.hash ?? WorkflowEvent.genesis)
        try await commitWithWebhooks(StoreChange(account: account, templateVersion: template, clauseVersion: clause, events: [event]),
                                     envelope: nil)
    }

    /// The compiled template of a version (cached by the version's source hash), compiled
    /// against the account's approved clause versions only.
    func compile(_ template: TemplateVersion) async throws -> CompiledTemplate {
        let key = template.account + "|" + template.reference + "|" + sha256Hex(template.source)
        if let cached = templates.withLock({ $0[key] }) { return cached }
        let stored = try await store.clauseVersions(account: template.account, clauseID: nil)
        let clauses = stored.filter { $0.state == .approved }
        let compiled: CompiledTemplate
        do {
            compiled = try Self.compileInScratch(source: template.source, assets: template.assets, clauses: clauses,
                                                 name: "\(template.templateID)@\(template.version).xml")
        } catch let failure as DraftProblems {
            // A clause the compiler cannot find may be in the library, only not approved yet: say so.
            let waiting = stored.filter { clause in
                clause.state == .proposed && failure.problems.contains { $0.code == .clauseNotFound && $0.text.contains("'\(clause.clauseID)'") }
            }
            // The compiler's "no clause …" for a waiting clause is replaced by what is true of it.
            var problems = failure.problems.filter { problem in
                !(problem.code == .clauseNotFound && waiting.contains { problem.text.contains("'\($0.clauseID)'") })
            }.map(\.text)
            if !waiting.isEmpty {
                problems.append("proposed but not approved yet: " + waiting.map(\.reference).sorted().joined(separator: ", ")
                                + " — a legal key approves a clause version (`countersign clause approve ID VERSION`)")
            }
            throw WorkflowError(.template, "template \(template.reference) does not compile against this account's approved clauses: "
                                + WorkflowError.listed(problems))
        }
        templates.withLock { $0[key] = compiled }
        return compiled
    }

    /// A clause's XML with its approval in the root's attributes, as the compiler checks them.
    static func approvedSource(_ clause: ClauseVersion) -> Data {
        var text = String(decoding: clause.source, as: UTF8.self)
        guard !text.contains("approved-by="), let by = clause.approvedBy, let on = clause.approvedOn,
              let open = text.range(of: "<clause") else { return clause.source }
        let escaped = by.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;")
        text.insert(contentsOf: " approved-by=\"\(escaped)\" approved-on=\"\(on)\"", at: open.upperBound)
        return Data(text.utf8)
    }

    /// The published version an agent may use; anything else is refused.
    func publishedTemplate(account: String, templateID: String, version: String) async throws -> (TemplateVersion, CompiledTemplate) {
        guard let template = try await store.templateVersion(account: account, templateID: templateID, version: version) else {
            // Say what there is: the versions of this id, or the id meant.
            let all = try await store.templateVersions(account: account, templateID: nil)
            let versions = all.filter { $0.templateID == templateID }
            let hint: String
            if !versions.isEmpty {
                hint = "; its versions are " + versions.map { "\($0.version) (\($0.state.rawValue))" }.joined(separator: ", ")
            } else if let near = Suggestions.closest(to: templateID, in: Set(all.map(\.templateID))) {
                hint = "; did you mean '\(near)'?"
            } else {
                hint = all.isEmpty ? "; import one first (`countersign template import`)" : ""
            }
            throw WorkflowError(.notFound, "no template \(templateID)@\(version) in this account" + hint)
        }
        guard template.state == .published else {
            let how = template.state == .draft ? " (a legal principal publishes it: `countersign template publish \(template.templateID) "
                + "\(template.version)`, or POST /v1/templates/\(template.templateID)/versions/\(template.version)/publish)" : ""
            throw WorkflowError(.illegalTransition, "template \(template.reference) is \(template.state.rawValue); envelopes use published "
                                + "versions only\(how)")
        }
        let compiled = try await compile(template)
        guard compiled.sha256Hex == template.sha256 else {
            throw WorkflowError(.evidence, "template \(template.reference) no longer compiles to the hash recorded when it was published")
        }
        return (template, compiled)
    }
}
