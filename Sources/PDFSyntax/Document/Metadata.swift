/// The document information dictionary as text (ISO 32000-2 §14.3.3), plus any custom keys.
public struct PDFMetadata: Sendable, Hashable {
    /// Every entry whose value is a text string or a name, by key, decoded.
    public var entries: [String: String]

    public var title: String? { entries["Title"] }
    public var author: String? { entries["Author"] }
    public var subject: String? { entries["Subject"] }
    public var creator: String? { entries["Creator"] }
    public var producer: String? { entries["Producer"] }
    public var creationDate: String? { entries["CreationDate"] }
    public var modificationDate: String? { entries["ModDate"] }
}

extension PDFDocument {
    /// The `/Info` dictionary's text entries at a revision (empty if there is none).
    public func metadata(revision: Int? = nil) throws -> PDFMetadata {
        guard let info = trailer(revision: revision)["Info"],
              case .dictionary(let dictionary) = try resolve(info, revision: revision) else {
            return PDFMetadata(entries: [:])
        }
        var entries: [String: String] = [:]
        for (key, value) in dictionary {
            switch try resolve(value, revision: revision) {
            case .string(let string): entries[key.string] = string.text
            case .name(let name): entries[key.string] = name.string
            default: continue
            }
        }
        return PDFMetadata(entries: entries)
    }

    /// The XMP metadata stream of the catalog, decoded, if present.
    public func xmpMetadata(revision: Int? = nil) throws -> String? {
        guard case .stream(let stream)? = try resolve(try catalog(revision: revision), "Metadata", revision: revision) else {
            return nil
        }
        return String(decoding: try decodedData(of: stream, revision: revision), as: UTF8.self)
    }
}
