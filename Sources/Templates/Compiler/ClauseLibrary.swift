import Foundation

/// A folder of approved clauses.
///
/// Layout: `<id>.xml` holds a clause's current version; other versions sit beside it as
/// `<id>@<version>.xml`. Each file's root is `<clause id version approved-by approved-on title>`.
struct ClauseLibrary: Sendable {
    let directory: URL

    /// A clause file read for one pin.
    struct Clause: Sendable {
        var id: String
        var version: String
        var title: String?
        var approvedBy: String
        var approvedOn: String
        var bytes: [UInt8]
        /// The path diagnostics name.
        var path: String
        var root: ParsedElement
    }

    /// What looking up a pin found.
    enum Lookup {
        case found(Clause)
        case notFound(knownIDs: [String])
        case versionNotFound(available: [String])
        /// The file exists but did not parse or lacks its identity.
        case invalid([Diagnostic])
    }

    private func displayPath(_ name: String) -> String { directory.appendingPathComponent(name).relativePath }

    /// Every clause id in the library.
    var clauseIDs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return Set(names.filter { $0.hasSuffix(".xml") }.map { name in
            let stem = String(name.dropLast(4))
            return stem.split(separator: "@", maxSplits: 1).first.map(String.init) ?? stem
        }).sorted()
    }

    /// Versions kept as `<id>@<version>.xml`.
    private func versionFiles(of id: String) -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var result: [String: String] = [:]
        for name in names where name.hasPrefix(id + "@") && name.hasSuffix(".xml") {
            result[String(name.dropFirst(id.count + 1).dropLast(4))] = name
        }
        return result
    }

    private func read(_ name: String) -> Result<(bytes: [UInt8], root: ParsedElement), TemplateError>? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            return nil
        }
        let bytes = Array(data)
        return XMLReader.parse(bytes, file: displayPath(name)).map { (bytes, $0) }
    }

    /// Finds `id` at `version`.
    func lookup(id: String, version: String) -> Lookup {
        guard !id.contains("/"), !id.contains("\\"), !id.hasPrefix("."), !version.contains("/") else {
            return .notFound(knownIDs: clauseIDs)
        }
        let pinnedFiles = versionFiles(of: id)
        var candidates: [String] = []
        if let name = pinnedFiles[version] { candidates.append(name) }
        candidates.append("\(id).xml")
        var available = Set(pinnedFiles.keys)
        var exists = !pinnedFiles.isEmpty
        for name in candidates {
            guard let result = read(name) else { continue }
            exists = true
            switch result {
            case .failure(let error):
                return .invalid(error.diagnostics)
            case .success(let (bytes, root)):
                let fileVersion = root.attribute("version")?.value ?? ""
                available.insert(fileVersion)
                guard fileVersion == version else { continue }
                return .found(Clause(id: root.attribute("id")?.value ?? "", version: fileVersion,
                                     title: root.attribute("title")?.value,
                                     approvedBy: root.attribute("approved-by")?.value ?? "",
                                     approvedOn: root.attribute("approved-on")?.value ?? "",
                                     bytes: bytes, path: displayPath(name), root: root))
            }
        }
        guard exists else { return .notFound(knownIDs: clauseIDs) }
        return .versionNotFound(available: available.filter { !$0.isEmpty }.sorted {
            $0.compare($1, options: .numeric) == .orderedAscending
        })
    }
}
