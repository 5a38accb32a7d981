import Foundation
import Typesetting
import InputChecks

/// What compiling the root produced, before it becomes a `CompiledTemplate`.
struct TemplateParts {
    var id = ""
    var version = ""
    var page = PageSetup.letter
    var language = "en-US"
    var languageTemplate: TextTemplate?
    var title: TextTemplate?
    var author: TextTemplate?
    var subject: TextTemplate?
    var keywords: TextTemplate?
    var header: [Flow<BlockNode>] = []
    var footer: [Flow<BlockNode>] = []
    var body: [Flow<BlockNode>] = []
    /// `numbering="headings"`: body headings (clause headings too) get 1., 1.1, 1.1.1.
    var numberHeadings = false
}

extension Compiler {
    /// Compiles `<template>`: declarations first (fields, styles), then header, footer and body.
    func compileTemplate(_ root: ParsedElement) -> TemplateParts {
        var parts = TemplateParts()
        guard root.name == "template" else {
            report(.unknownElement, "the root element must be <template>", at: root.position, element: root.name)
            return parts
        }
        checkRootNamespace(root)
        checkAttributes(root, Schema.elements["template"]!)

        var sections: [String: ParsedElement] = [:]
        for child in root.children {
            switch child {
            case .text(let text) where !text.isBlank:
                reportStrayText(text, in: root, expected: "<fields>, <styles>, <header>, <footer> or <body>")
            case .text:
                break
            case .element(let element):
                let known = ["fields", "styles", "header", "footer", "body"]
                guard checkNamespace(element) else { continue }
                if !known.contains(element.name) {
                    misplacedOrUnknown(element, allowed: known, parent: "template")
                } else if let first = sections[element.name] {
                    report(.duplicate, "<\(element.name)> appears twice (first at line \(first.position.line)); expected one",
                           at: element.position, element: element.name)
                } else {
                    sections[element.name] = element
                }
            }
        }
        if let fieldsElement = sections["fields"] { compileFields(fieldsElement) }
        if let stylesElement = sections["styles"] { compileStyles(stylesElement) }

        parts.id = value(root, "id") { text -> Result<String, UnitError> in
            Compiler.isName(text) ? .success(text) : .failure(UnitError(code: .invalidValue,
                message: "'\(text)' is not an id; expected lower-case letters, digits, '-', '_' or '.'"))
        } ?? ""
        parts.version = value(root, "version", Compiler.versionText) ?? ""
        if let lang = root.attribute("lang") {
            if lang.value.contains("{{") {
                parts.languageTemplate = textAttribute(root, "lang", locals: [])
            } else if let problem = ValueFormatter.localeProblem(lang.value) {
                report(.invalidValue, "lang: \(problem)", at: lang.position(atValueOffset: 0), element: "template")
            } else {
                parts.language = lang.value
            }
        }
        parts.title = textAttribute(root, "title", locals: [])
        parts.author = textAttribute(root, "author", locals: [])
        parts.subject = textAttribute(root, "subject", locals: [])
        parts.keywords = textAttribute(root, "keywords", locals: [])
        parts.page = value(root, "page", Units.page) ?? .letter
        if let margins = value(root, "margin", Units.margins) {
            parts.page.marginTop = margins[0]; parts.page.marginRight = margins[1]
            parts.page.marginBottom = margins[2]; parts.page.marginLeft = margins[3]
        }
        parts.numberHeadings = value(root, "numbering", { Units.choice($0, ["none", "headings"]) }) == "headings"
        if value(root, "orientation", { Units.choice($0, ["portrait", "landscape"]) }) == "landscape" {
            parts.page = parts.page.landscape
        }
        if let header = sections["header"] { parts.header = blocks(in: header, BlockContext(region: .headerFooter)) }
        if let footer = sections["footer"] { parts.footer = blocks(in: footer, BlockContext(region: .headerFooter)) }
        if let body = sections["body"] {
            parts.body = blocks(in: body, BlockContext(region: .body))
        } else {
            report(.missingAttribute, "missing <body>; a template needs one", at: root.position, element: "template")
        }
        return parts
    }

    /// Reports an element outside the template namespace; returns whether it is in it.
    /// A root in the wrong namespace is reported once; its descendants in that same namespace are
    /// then read as template elements, so the rest of the file is still checked.
    @discardableResult
    func checkNamespace(_ element: ParsedElement) -> Bool {
        guard !inNamespace(element) else { return true }
        let actual = element.namespace.map { "'\($0)'" } ?? "no namespace"
        report(.wrongNamespace, "the element is in \(actual); expected xmlns=\"\(Compiler.namespace)\"",
               at: element.position, element: element.name)
        return false
    }

    func inNamespace(_ element: ParsedElement) -> Bool {
        element.namespace == Compiler.namespace || toleratedNamespace == .some(element.namespace)
    }

    /// Checks a root's namespace; a wrong one is tolerated below it after this one report.
    func checkRootNamespace(_ root: ParsedElement) {
        toleratedNamespace = nil
        if !checkNamespace(root) { toleratedNamespace = .some(root.namespace) }
    }

    /// An element that is either unknown (with a suggestion) or known but not allowed here.
    func misplacedOrUnknown(_ element: ParsedElement, allowed: [String], parent: String) {
        if Schema.elements[element.name] != nil {
            report(.misplacedElement, "not allowed inside <\(parent)>; \(Schema.home(of: element.name))",
                   at: element.position, element: element.name)
        } else {
            let suggestion = Suggestions.closest(to: element.name, in: allowed)
                ?? Suggestions.closest(to: element.name, in: Schema.elements.keys.sorted())
            let hint = suggestion.map { "; did you mean <\($0)>?" } ?? "; expected one of "
                + allowed.map { "<\($0)>" }.joined(separator: ", ")
            report(.unknownElement, "unknown element\(hint)", at: element.position, element: element.name)
        }
    }

    /// Lower-case names for ids and roles: letters, digits, `-`, `_`, `.`.
    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, (first >= "a" && first <= "z") || (first >= "0" && first <= "9")
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_" || $0 == "."
        }
    }

    static func versionText(_ text: String) -> Result<String, UnitError> {
        let ok = !text.isEmpty && text.count <= 32 && text.unicodeScalars.allSatisfy {
            ($0 >= "0" && $0 <= "9") || ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || $0 == "." || $0 == "-"
        }
        return ok ? .success(text) : .failure(UnitError(code: .invalidValue,
            message: "'\(text)' is not a version; expected digits and dots such as 3 or 2.1"))
    }

    // MARK: Fields

    func compileFields(_ element: ParsedElement) {
        checkAttributes(element, Schema.elements["fields"]!)
        var firstLine: [String: Int] = [:]
        for child in element.children {
            guard case .element(let fieldElement) = child else {
                if case .text(let text) = child, !text.isBlank {
                    reportStrayText(text, in: element, expected: "<field> elements")
                }
                continue
            }
            guard checkNamespace(fieldElement) else { continue }
            guard fieldElement.name == "field" else {
                misplacedOrUnknown(fieldElement, allowed: ["field"], parent: "fields")
                continue
            }
            checkAttributes(fieldElement, Schema.elements["field"]!)
            for case .element(let inner) in fieldElement.children {
                report(.misplacedElement, "not allowed inside <field>; <field> is empty", at: inner.position,
                       element: inner.name)
            }
            guard let nameAttribute = fieldElement.attribute("name") else { continue }
            let name = nameAttribute.value
            guard Compiler.isIdentifier(name), !Compiler.reservedNames.contains(name) else {
                let why = Compiler.reservedNames.contains(name) ? "is reserved" : "is not a name"
                report(.invalidValue, "name: '\(name)' \(why); expected letters, digits and '_', starting with a letter",
                       at: nameAttribute.position(atValueOffset: 0), element: "field")
                continue
            }
            if let line = firstLine[name] {
                report(.duplicate, "duplicate field '\(name)' (first declared at line \(line))",
                       at: nameAttribute.position(atValueOffset: 0), element: "field")
                continue
            }
            firstLine[name] = fieldElement.position.line
            guard let type = value(fieldElement, "type", { text -> Result<FieldDeclaration.FieldType, UnitError> in
                Units.choice(text, FieldDeclaration.FieldType.allCases.map(\.rawValue))
                    .map { FieldDeclaration.FieldType(rawValue: $0)! }
            }) else {
                brokenFields.insert(name)
                continue
            }
            if let rule = compileField(fieldElement, name: name, type: type) {
                fieldIndex[name] = fields.count
                fields.append(rule)
            } else {
                brokenFields.insert(name)
            }
        }
    }

    private func compileField(_ element: ParsedElement, name: String, type: FieldDeclaration.FieldType) -> FieldRules? {
        let before = diagnostics.count
        var allowed: [String] = []
        if let values = element.attribute("values") {
            if type != .enumeration {
                report(.invalidValue, "values: only enum fields take values", at: values.position, element: "field")
            }
            let separator: Character = values.value.contains("|") ? "|" : " "
            allowed = values.value.split(separator: separator).map { $0.trimmed }
                .filter { !$0.isEmpty }
            if allowed.isEmpty, type == .enumeration {
                report(.invalidValue, "values: empty; expected the allowed values, e.g. values=\"Starter Business\"",
                       at: values.position(atValueOffset: 0), element: "field")
            }
        } else if type == .enumeration {
            report(.missingAttribute, "missing attribute 'values'; an enum needs its allowed values, e.g. "
                   + "values=\"Starter Business Enterprise\"", at: element.position, element: "field")
        }
        if let pattern = element.attribute("pattern"), type != .text, type != .email {
            report(.invalidValue, "pattern: only text and email fields take a pattern", at: pattern.position, element: "field")
        }
        let regex = value(element, "pattern") { text -> Result<RegexBox, UnitError> in
            do throws(FieldPatternError) {
                return .success(try FieldPattern(text).box)
            } catch {
                return .failure(UnitError(code: .invalidValue, message: error.message))
            }
        }
        let minimum = value(element, "min") { FieldRules.bound($0, for: type) }
        let maximum = value(element, "max") { FieldRules.bound($0, for: type) }
        let fallback = value(element, "default") { text -> Result<TemplateValue, UnitError> in
            switch DataCoercion.coerce(text, to: type) {
            case .success(let value):
                if type == .enumeration, !allowed.contains(text) {
                    return .failure(UnitError(code: .invalidValue, message: "'\(text)' is not one of the values"))
                }
                return .success(value)
            case .failure(let failure): return .failure(UnitError(code: .invalidValue, message: failure.message))
            }
        }
        var format: [ValueFormatter] = []
        if let formatAttribute = element.attribute("format") {
            let scalars = Array(("v|" + formatAttribute.value + "}}").unicodeScalars)
            do throws(ExpressionSyntaxError) {
                var parser = try ExpressionParser(scalars: scalars)
                let (_, calls) = try parser.parseInterpolation()
                for call in calls { format.append(try ValueFormatter(call)) }
            } catch {
                report(.unknownFormatter, "format: \(error.message)",
                       at: formatAttribute.position(atValueOffset: max(0, error.offset - 2)), element: "field")
            }
        }
        let required = value(element, "required", Units.bool) ?? false
        guard diagnostics.count == before else { return nil }
        let declaration = FieldDeclaration(
            name: name, type: type, isRequired: required, minimum: element.attribute("min")?.value,
            maximum: element.attribute("max")?.value, pattern: element.attribute("pattern")?.value,
            allowedValues: allowed, defaultValue: fallback, label: element.attribute("label")?.value)
        var rule = FieldRules(declaration: declaration)
        rule.minimum = minimum
        rule.maximum = maximum
        rule.pattern = regex
        rule.format = format
        return rule
    }
}
