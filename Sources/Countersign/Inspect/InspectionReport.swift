/// What `countersign inspect` reports about a PDF: structure, pages, fields, signatures, metadata.
///
/// Field names in JSON are part of the CLI's contract (docs/cli.md).
public struct InspectionReport: Sendable, Hashable {
    public struct Revision: Sendable, Hashable {
        public var index: Int
        public var startOffset: Int
        public var endOffset: Int
        public var xref: String
        public var xrefOffset: Int
        /// Objects this revision defines or frees, as "n g".
        public var objects: [String]
        public var freed: [String]
    }

    public struct PageSize: Sendable, Hashable {
        public var page: Int
        public var width: Double
        public var height: Double
        public var rotation: Int
    }

    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: String
        public var page: Int?
        public var rect: [Double]?
        public var signed: Bool
        public var value: String?
    }

    public struct Signature: Sendable, Hashable {
        public var field: String
        public var subFilter: String?
        public var byteRange: [Int]?
        /// The revision whose end the byte range reaches (nil if it matches none).
        public var revision: Int?
        public var coversWholeFile: Bool
    }

    /// A file attached to the document (e.g. Countersign's `audit.json`).
    public struct EmbeddedFile: Sendable, Hashable {
        public var name: String
        /// The size the file spec states (`/Params /Size`), if any.
        public var bytes: Int?
        public var mimeType: String?
        /// `/AFRelationship` (e.g. `Supplement`).
        public var relationship: String?
        public var description: String?

        public var json: JSONValue {
            .object(["name": .string(name), "bytes": bytes.map(JSONValue.int) ?? .null,
                     "mimeType": mimeType.map(JSONValue.string) ?? .null,
                     "relationship": relationship.map(JSONValue.string) ?? .null,
                     "description": description.map(JSONValue.string) ?? .null])
        }
    }

    public struct TextOccurrence: Sendable, Hashable {
        public var page: Int
        public var rect: [Double]
    }

    public var file: String
    public var bytes: Int
    public var version: String
    public var revisions: [Revision]
    public var pages: Int
    public var pageSizes: [PageSize]
    public var fields: [Field]
    public var signatures: [Signature]
    public var embeddedFiles: [EmbeddedFile]
    public var metadata: [String: String]
    public var warnings: [String]
    public var reconstructed: Bool
    /// Present when `--find-text` was given.
    public var textMatches: [TextOccurrence]?
}

extension InspectionReport: JSONRepresentable {
    /// The report as JSON, with the keys documented in docs/cli.md.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "file": .string(file), "bytes": .int(bytes), "version": .string(version),
            "revisions": .array(revisions.map(\.json)), "pages": .int(pages),
            "pageSizes": .array(pageSizes.map(\.json)), "fields": .array(fields.map(\.json)),
            "signatures": .array(signatures.map(\.json)), "embeddedFiles": .array(embeddedFiles.map(\.json)),
            "metadata": .object(metadata.mapValues(JSONValue.string)),
            "warnings": .array(warnings.map(JSONValue.string)), "reconstructed": .bool(reconstructed),
        ]
        if let textMatches { object["textMatches"] = .array(textMatches.map(\.json)) }
        return .object(object)
    }
}

extension InspectionReport.Revision: JSONRepresentable {
    public var json: JSONValue {
        .object(["index": .int(index), "startOffset": .int(startOffset), "endOffset": .int(endOffset),
                 "xref": .string(xref), "xrefOffset": .int(xrefOffset),
                 "objects": .array(objects.map(JSONValue.string)), "freed": .array(freed.map(JSONValue.string))])
    }
}

extension InspectionReport.PageSize: JSONRepresentable {
    public var json: JSONValue {
        .object(["page": .int(page), "width": .double(width), "height": .double(height), "rotation": .int(rotation)])
    }
}

extension InspectionReport.Field: JSONRepresentable {
    public var json: JSONValue {
        .object(["name": .string(name), "type": .string(type), "page": page.map(JSONValue.int) ?? .null,
                 "rect": rect.map { .array($0.map(JSONValue.double)) } ?? .null, "signed": .bool(signed),
                 "value": value.map(JSONValue.string) ?? .null])
    }
}

extension InspectionReport.Signature: JSONRepresentable {
    public var json: JSONValue {
        .object(["field": .string(field), "subFilter": subFilter.map(JSONValue.string) ?? .null,
                 "byteRange": byteRange.map { .array($0.map(JSONValue.int)) } ?? .null,
                 "revision": revision.map(JSONValue.int) ?? .null, "coversWholeFile": .bool(coversWholeFile)])
    }
}

extension InspectionReport.TextOccurrence: JSONRepresentable {
    public var json: JSONValue { .object(["page": .int(page), "rect": .array(rect.map(JSONValue.double))]) }
}

extension InspectionReport {
    /// `json.renderedBytes()` without building the tree first: the same bytes, written straight
    /// (a 2 000-page report has 2 000 page objects and thousands of object numbers).
    public func jsonBytes() -> [UInt8] {
        var result: [UInt8] = []
        writeJSON(chunkSize: .max) { if result.isEmpty { result = $0 } else { result += $0 } }
        return result
    }

    /// The bytes of `jsonBytes()` handed to `sink` in pieces of about `chunkSize` bytes, so a large
    /// report is never held whole; `appendingNewline` ends the last piece with a line feed.
    public func writeJSON(chunkSize: Int = 1 << 16, appendingNewline: Bool = false, to sink: ([UInt8]) -> Void) {
        var objectCount = 0
        for revision in revisions { objectCount += revision.objects.count + revision.freed.count }
        // About 100 bytes per page size and 24 per object number (indent, quotes, comma, newline).
        let estimate = 256 + pageSizes.count * 112 + objectCount * 24
        var out = JSONWriter(capacity: chunkSize == .max ? estimate : min(estimate, chunkSize + 4096))
        out.beginObject()
        out.key(literal: "bytes"); out.int(bytes)
        out.key(literal: "embeddedFiles"); out.beginArray()
        for file in embeddedFiles { out.value(file.json) }
        out.endArray()
        out.key(literal: "fields"); out.beginArray()
        for field in fields { out.value(field.json) }
        out.endArray()
        out.key(literal: "file"); out.string(file)
        out.key(literal: "metadata"); out.beginObject()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { out.key(key); out.string(value) }
        out.endObject()
        out.key(literal: "pageSizes"); out.beginArray()
        // Pages mostly share their size: the object around the page number is rendered once per
        // run of equal sizes, by the same writer calls, and copied.
        var template: (size: PageSize, head: [UInt8], tail: [UInt8])? = nil
        for size in pageSizes {
            let reusable = template.map {
                $0.size.height == size.height && $0.size.width == size.width && $0.size.rotation == size.rotation
            } ?? false
            if !reusable {
                var writer = out.nestedWriter()
                writer.beginObject()
                writer.key(literal: "height"); writer.double(size.height)
                writer.key(literal: "page")
                let head = writer.bytes
                writer.int(0)
                let pageEnd = writer.bytes.count
                writer.key(literal: "rotation"); writer.int(size.rotation)
                writer.key(literal: "width"); writer.double(size.width)
                writer.endObject()
                template = (size, head, Array(writer.bytes[pageEnd...]))
            }
            out.value(rendered: template!.head, size.page, template!.tail)
            out.flush(ifOver: chunkSize, to: sink)
        }
        out.endArray()
        out.key(literal: "pages"); out.int(pages)
        out.key(literal: "reconstructed"); out.bool(reconstructed)
        out.key(literal: "revisions"); out.beginArray()
        for revision in revisions {
            out.beginObject()
            out.key(literal: "endOffset"); out.int(revision.endOffset)
            out.key(literal: "freed"); out.beginArray()
            for object in revision.freed { out.string(object) }
            out.endArray()
            out.key(literal: "index"); out.int(revision.index)
            out.key(literal: "objects"); out.beginArray()
            for object in revision.objects {
                out.string(object)
                out.flush(ifOver: chunkSize, to: sink)
            }
            out.endArray()
            out.key(literal: "startOffset"); out.int(revision.startOffset)
            out.key(literal: "xref"); out.string(revision.xref)
            out.key(literal: "xrefOffset"); out.int(revision.xrefOffset)
            out.endObject()
        }
        out.endArray()
        out.key(literal: "signatures"); out.beginArray()
        for signature in signatures { out.value(signature.json) }
        out.endArray()
        if let textMatches {
            out.key(literal: "textMatches"); out.beginArray()
            for match in textMatches { out.value(match.json) }
            out.endArray()
        }
        out.key(literal: "version"); out.string(version)
        out.key(literal: "warnings"); out.beginArray()
        for warning in warnings { out.string(warning) }
        out.endArray()
        out.endObject()
        if appendingNewline { out.raw(0x0A) }
        out.finish(to: sink)
    }
}
