public import Foundation
import CountersignCrypto
import Typesetting

/// Compiles XML templates (namespace `urn:countersign:template:1`) against a clause library.
///
/// Compiling reads the template, its images and its pinned clauses, checks everything and
/// reports every problem at once; the result binds data without touching files again.
public struct TemplateCompiler: Sendable {
    /// The folder of approved clauses (`<id>.xml`, `<id>@<version>.xml`).
    public let clauseLibrary: URL
    /// The families a style's `font=` may name: the shipped fonts' unless given.
    public let fontFamilies: [String]?

    /// `fontFamilies` nil reads the shipped `Fonts/` folder's families (no check when it cannot
    /// be read: rendering then reports the missing fonts).
    public init(clauseLibrary: URL, fontFamilies: [String]? = nil) {
        self.clauseLibrary = clauseLibrary
        self.fontFamilies = fontFamilies
    }

    /// Compiles a template file. Images resolve relative to its folder; diagnostics name it as given.
    public func compile(file: URL) throws(TemplateError) -> CompiledTemplate {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TemplateError(.io, "cannot read the template file", file: file.relativePath)
        }
        return try compile(source: Array(data), path: file.relativePath)
    }

    /// Compiles template bytes; `path` names the file in diagnostics and anchors relative image paths.
    public func compile(source: [UInt8], path: String) throws(TemplateError) -> CompiledTemplate {
        let root: ParsedElement
        switch XMLReader.parse(source, file: path) {
        case .success(let element): root = element
        case .failure(let error): throw error
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        let families = fontFamilies ?? (try? ShippedFonts.families())
        let compiler = Compiler(file: path, baseDirectory: base, library: ClauseLibrary(directory: clauseLibrary),
                                fontFamilies: families)
        let parts = compiler.compileTemplate(root)
        compiler.checkSignerFieldRoles()
        guard compiler.diagnostics.isEmpty else { throw TemplateError(Self.ordered(compiler.diagnostics, first: path)) }
        var hashed = source
        for clause in compiler.pins { hashed += clause.bytes }
        let clauses = compiler.pins.map {
            PinnedClause(id: $0.id, version: $0.version, title: $0.title, approvedBy: $0.approvedBy, approvedOn: $0.approvedOn)
        }
        return CompiledTemplate(parts: parts, rules: compiler.fields, roles: compiler.roles, optionalRoles: compiler.optionalRoles,
                                signerFields: compiler.signerFields.map(\.declaration), clauses: clauses,
                                sha256Hex: DigestAlgorithm.sha256.hash(hashed).map { String(format: "%02x", $0) }.joined())
    }

    /// Diagnostics grouped by file (the template first, then in order of first appearance), each
    /// file's sorted by position.
    static func ordered(_ diagnostics: [Diagnostic], first: String) -> [Diagnostic] {
        var files: [String] = [first]
        for diagnostic in diagnostics where !files.contains(diagnostic.file ?? "") { files.append(diagnostic.file ?? "") }
        return files.flatMap { file in
            diagnostics.enumerated().filter { ($0.element.file ?? "") == file }.sorted { a, b in
                (a.element.line ?? 0, a.element.column ?? 0, a.offset) < (b.element.line ?? 0, b.element.column ?? 0, b.offset)
            }.map(\.element)
        }
    }
}
