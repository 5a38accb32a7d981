import Foundation
import Typesetting
import InputChecks

extension Compiler {
    /// `<clause ref version when heading/>`: the pinned clause's content from the library, shown
    /// when `when` holds. The element itself may not have content: clause text is not overridable.
    func clause(_ element: ParsedElement, parent: ParsedElement, _ context: BlockContext) -> [Flow<BlockNode>] {
        checkAttributes(element, Schema.elements["clause"]!)
        guard context.region == .body else {
            let why = context.region == .clause ? "inside a clause; clauses cannot include other clauses"
                : "inside <\(parent.name)>; clauses belong in the body"
            report(.misplacedElement, "not allowed \(why)", at: element.position, element: "clause")
            return []
        }
        let content = element.children.first {
            if case .text(let text) = $0 { return !text.isBlank }
            return true
        }
        if let content {
            var position = element.position
            if case .element(let inner) = content { position = inner.position }
            if case .text(let text) = content, let source = text.source {
                let offset = text.content.unicodeScalars.prefix { $0.properties.isWhitespace }.count
                position = source.position(atScalarOffset: offset)
            }
            report(.clauseOverridden, "clause text comes from the clause library and cannot be overridden; expected an "
                   + "empty element such as <clause ref=\"…\" version=\"…\"/>", at: position, element: "clause")
        }
        guard let refAttribute = element.attribute("ref") else { return [] }
        let id = refAttribute.value
        guard Compiler.isName(id) else {
            report(.invalidValue, "ref: '\(id)' is not a clause id; expected lower-case letters, digits and '-'",
                   at: refAttribute.position(atValueOffset: 0), element: "clause")
            return []
        }
        let when = expression(element, "when", locals: context.locals)
        let heading = value(element, "heading") { Units.choice($0, ["h1", "h2", "h3"]) }
        guard let versionAttribute = element.attribute("version") else {
            var known = ""
            if case .versionNotFound(let available) = library.lookup(id: id, version: ""), !available.isEmpty {
                known = " (the library has \(available.joined(separator: ", ")))"
            }
            report(.clauseUnpinned, "clause '\(id)' is not pinned to a version; expected version=\"…\"\(known)",
                   at: element.position, element: "clause")
            return []
        }
        let version = versionAttribute.value
        let key = "\(id)@\(version)"
        var body: [Flow<BlockNode>]
        var title: String?
        if let cached = clauseContent[key] {
            body = cached
            title = pins.first { $0.id == id && $0.version == version }?.title
        } else {
            guard let clause = load(id: id, version: version, pin: element,
                                    versionPosition: versionAttribute.position(atValueOffset: 0)) else {
                return []
            }
            let savedFile = file
            clauseSite = "\(file):\(element.position.line):\(element.position.column)"
            file = clause.path
            body = clauseBody(clause)
            file = savedFile
            clauseSite = nil
            clauseContent[key] = body
            pins.append(clause)
            title = clause.title
        }
        if let heading {
            var style = styles.style(heading) ?? ParagraphStyle()
            style.keepWithNext = true
            let text = TextTemplate(parts: [.literal(title ?? id)])
            body.insert(.item(.paragraph(style, [.item(.text(text, InlineStyle(), link: nil))],
                                         heading: Int(heading.dropFirst()))), at: 0)
        }
        if let when { return [.choose([Branch(test: when, body: body)], otherwise: [])] }
        return element.attribute("when") == nil ? body : []
    }

    /// Finds and checks a pinned clause; problems are reported at the pin.
    private func load(id: String, version: String, pin: ParsedElement, versionPosition: SourcePosition) -> ClauseLibrary.Clause? {
        switch library.lookup(id: id, version: version) {
        case .notFound(let known):
            let hint = Suggestions.hint(for: id, in: known)
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: library.directory.path, isDirectory: &isFolder) && isFolder.boolValue
            let place = exists ? "the clause library \(library.directory.relativePath)"
                : "the clause library: there is no folder \(library.directory.relativePath) (clauses go in clauses/ beside the template, or give --clauses DIR)"
            report(.clauseNotFound, "no clause '\(id)' in \(place)\(hint)", at: pin.position, element: "clause")
        case .versionNotFound(let available):
            report(.clauseVersionNotFound, "clause '\(id)' has no version \(version); the library has "
                   + (available.isEmpty ? "none" : available.joined(separator: ", ")), at: versionPosition, element: "clause")
        case .invalid(let problems):
            diagnostics += problems
            report(.clauseInvalid, "clause '\(id)' version \(version) could not be read", at: pin.position, element: "clause")
        case .found(let clause):
            guard clause.id == id else {
                report(.clauseInvalid, "\(clause.path) declares id '\(clause.id)'; expected '\(id)'", at: pin.position,
                       element: "clause")
                return nil
            }
            let approved = !clause.approvedBy.trimmed.isEmpty
                && CalendarDate(iso: clause.approvedOn) != nil
            guard approved else {
                report(.clauseUnapproved, "clause '\(id)' version \(version) is not approved; expected approved-by and "
                       + "approved-on=\"YYYY-MM-DD\" in \(clause.path)", at: pin.position, element: "clause")
                return nil
            }
            return clause
        }
        return nil
    }

    /// Compiles a clause file's root and content (diagnostics name the clause file).
    private func clauseBody(_ clause: ClauseLibrary.Clause) -> [Flow<BlockNode>] {
        let root = clause.root
        guard root.name == "clause" else {
            report(.clauseInvalid, "the root element must be <clause>", at: root.position, element: root.name)
            return []
        }
        let savedTolerance = toleratedNamespace
        checkRootNamespace(root)
        checkAttributes(root, Schema.clauseRoot)
        defer { toleratedNamespace = savedTolerance }
        return blocks(in: root, BlockContext(region: .clause))
    }
}
