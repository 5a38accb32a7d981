public import Foundation
public import Templates
import CountersignCrypto

/// A mapping file (JSON, docs/batch.md): how an export's columns become a template's fields —
/// renamed columns, reading formats (US dates, Excel serials, decimal commas), defaults, constant
/// values, and list fields built from JSON cells with renamed member keys.
public struct BatchMapping: Sendable {
    /// How one template field gets its value.
    public struct Entry: Sendable, Hashable {
        /// Where the value comes from.
        public enum Source: Sendable, Hashable {
            /// A CSV column, by its header name.
            case column(String)
            /// The same value for every row.
            case constant(TemplateValue)
        }

        /// Where the value comes from.
        public var source: Source
        /// The type the cell is read as (default: the template field's type).
        public var type: FieldDeclaration.FieldType?
        /// How the cell is written.
        public var format: CellFormat
        /// Used when the cell is empty: text is read with `format`; other JSON values are taken as is.
        public var defaultValue: TemplateValue?
        /// For list and object fields: template member key ← key in the cell's JSON.
        public var keys: [String: String]

        /// An entry; a bare column name in the file is `Entry(source: .column(name))`.
        public init(source: Source, type: FieldDeclaration.FieldType? = nil, format: CellFormat = .standard,
                    defaultValue: TemplateValue? = nil, keys: [String: String] = [:]) {
            self.source = source; self.type = type; self.format = format; self.defaultValue = defaultValue; self.keys = keys
        }
    }

    /// Entries by template field name. Fields without one read the column of the same name.
    public var fields: [String: Entry]
    /// Fields copied into each manifest line under `keys` (default: lead_id and company_name when
    /// the template declares them, plus the fields the `--name` pattern uses).
    public var manifestKeys: [String]?
    /// SHA-256 (hex) of the mapping file, part of each row's input fingerprint.
    public var sha256Hex: String

    /// A mapping built in code.
    public init(fields: [String: Entry], manifestKeys: [String]? = nil, sha256Hex: String = "") {
        self.fields = fields
        self.manifestKeys = manifestKeys
        self.sha256Hex = sha256Hex
    }

    /// Reads a mapping file.
    public static func load(_ url: URL) throws(BatchError) -> BatchMapping {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw BatchError(exists ? .invalidInput : .missingInput,
                             "\(url.relativePath): \(exists ? "cannot read the mapping file" : "no such mapping file")")
        }
        return try parse(Array(data), path: url.relativePath)
    }

    /// Parses mapping JSON; `path` names the file in messages.
    public static func parse(_ bytes: [UInt8], path: String) throws(BatchError) -> BatchMapping {
        func fail(_ message: String) -> BatchError { BatchError(.mapping, "\(path): \(message)") }
        let root: TemplateValue
        do {
            root = try TemplateValue.fromJSON(Data(bytes))
        } catch {
            throw fail(error.diagnostics.first?.message ?? "not valid JSON")
        }
        guard case .object(let top) = root else { throw fail("must be a JSON object with \"fields\"") }
        for key in top.keys.sorted() where !["fields", "manifest_keys", "$comment"].contains(key) {
            throw fail("unknown key '\(key)'; expected fields, manifest_keys" + suggestion(for: key, in: ["fields", "manifest_keys"]))
        }
        guard case .object(let entries)? = top["fields"] else { throw fail("needs \"fields\": an object of template field → column") }
        var fields: [String: Entry] = [:]
        for name in entries.keys.sorted() {
            fields[name] = try entry(entries[name]!, field: name, fail: fail)
        }
        var manifestKeys: [String]? = nil
        if let keys = top["manifest_keys"] {
            guard case .list(let items) = keys else { throw fail("manifest_keys must be an array of field names") }
            manifestKeys = try items.map { item throws(BatchError) in
                guard case .string(let name) = item else { throw fail("manifest_keys must be an array of field names") }
                return name
            }
        }
        return BatchMapping(fields: fields, manifestKeys: manifestKeys,
                            sha256Hex: DigestAlgorithm.sha256.hash(bytes).hexString)
    }

    private static let entryKeys = ["column", "value", "type", "format", "default", "keys"]

    private static func entry(_ value: TemplateValue, field: String, fail: (String) -> BatchError) throws(BatchError) -> Entry {
        if case .string(let column) = value { return Entry(source: .column(column)) }
        guard case .object(let members) = value else {
            throw fail("field '\(field)': expected a column name or an object with column or value")
        }
        for key in members.keys.sorted() where !entryKeys.contains(key) {
            throw fail("field '\(field)': unknown key '\(key)'; expected one of \(entryKeys.joined(separator: ", "))"
                       + suggestion(for: key, in: entryKeys))
        }
        let source: Entry.Source
        switch (members["column"], members["value"]) {
        case (.string(let column)?, nil): source = .column(column)
        case (nil, let constant?): source = .constant(constant)
        case (_?, _?): throw fail("field '\(field)': give column or value, not both")
        case (_?, nil): throw fail("field '\(field)': column must be a string (the header name)")
        case (nil, nil): throw fail("field '\(field)': needs column (a header name) or value (a constant)")
        }
        var type: FieldDeclaration.FieldType? = nil
        if let given = members["type"] {
            guard case .string(let name) = given, let parsed = FieldDeclaration.FieldType(rawValue: name) else {
                let names = FieldDeclaration.FieldType.allCases.map(\.rawValue)
                throw fail("field '\(field)': type must be one of \(names.joined(separator: ", "))")
            }
            type = parsed
        }
        var format = CellFormat.standard
        if let given = members["format"] {
            guard case .string(let name) = given, let parsed = CellFormat(name: name) else {
                throw fail("field '\(field)': unknown format \(given.text.isEmpty ? "" : "'\(given.text)'"); expected a date "
                           + "pattern such as MM/DD/YYYY, excel, excel-1904, decimal-comma, thousands-comma or json")
            }
            format = parsed
        }
        var keys: [String: String] = [:]
        if let given = members["keys"] {
            guard case .object(let pairs) = given else { throw fail("field '\(field)': keys must map template keys to JSON keys") }
            for (target, from) in pairs {
                guard case .string(let from) = from else { throw fail("field '\(field)': keys must map template keys to JSON keys") }
                keys[target] = from
            }
        }
        return Entry(source: source, type: type, format: format, defaultValue: members["default"], keys: keys)
    }
}

