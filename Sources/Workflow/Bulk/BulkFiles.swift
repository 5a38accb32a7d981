public import Foundation
import Batch
import InputChecks

extension WorkflowEngine {
    /// The formats a bulk upload may take.
    public enum BulkFormat: String, Sendable, Hashable, CaseIterable {
        /// A header row, then one row per envelope (RFC 4180, UTF-8).
        case csv
        /// One JSON object of string (or number, or boolean) values per line.
        case jsonLines
    }

    /// Adds the rows of a file (read in chunks, one row at a time) to a bulk send (role agent).
    /// A row that cannot be read is reported in the upload's `rejected` list; the others go on.
    public func addBulkRows(_ principal: Principal, bulk id: String, file: URL, format: BulkFormat) async throws -> BulkUpload {
        switch format {
        case .csv:
            let reader: CSVReader
            do {
                reader = try CSVReader(url: file, otherEncodingAdvice: "rows are read as UTF-8: save the file as \"CSV UTF-8\" "
                                       + "(Excel: Save As, CSV UTF-8) and upload it again")
            } catch let error as CSVFileError {
                throw WorkflowError(.invalidRequest, "the CSV upload: \(error.message)")
            }
            let header = reader.header
            guard Set(header).count == header.count else {
                throw WorkflowError(.invalidRequest, "the CSV upload's header names a column twice")
            }
            // Every row would be refused for an empty key: the file is the wrong one, or its header is.
            if let column = try await bulkSend(principal, id: id).spec.rowKeyColumn, !header.contains(column) {
                throw WorkflowError(.invalidRequest, "the CSV upload's header has no column '\(column)', the bulk send's rowKeyColumn "
                                    + "(it has \(header.prefix(12).joined(separator: ", "))\(header.count > 12 ? ", …" : "")); "
                                    + "nothing was added" + (Suggestions.closest(to: column, in: header).map { "; did you mean '\($0)'?" } ?? ""))
            }
            return try await addBulkRows(principal, bulk: id) {
                guard let result = try reader.next() else { return nil }
                switch result {
                case .success(let record):
                    guard record.fields.count == header.count else {
                        return (record.row, .failure(BulkRejection(row: record.row, error: "it has \(record.fields.count) fields; the header has \(header.count)")))
                    }
                    return (record.row, .success(Dictionary(uniqueKeysWithValues: zip(header, record.fields))))
                case .failure(let error):
                    return (error.row, .failure(BulkRejection(row: error.row, error: error.message)))
                }
            }
        case .jsonLines:
            guard let lines = LineReader(url: file) else { throw WorkflowError(.store, "cannot read the spooled upload \(file.path)") }
            var row = 0
            return try await addBulkRows(principal, bulk: id) {
                while let line = lines.next() {
                    if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
                    row += 1
                    return (row, Self.jsonRow(Array(line.utf8), row: row))
                }
                return nil
            }
        }
    }

    /// One JSON Lines row: an object whose values are strings, numbers or booleans.
    static func jsonRow(_ line: [UInt8], row: Int) -> Result<[String: String], BulkRejection> {
        switch RepeatedJSONKeys.scan(Data(line)) {
        case .repeated(let key)?:
            return .failure(BulkRejection(row: row, error: "the field \(key) is given twice; give each field once"))
        case let finding?:
            return .failure(BulkRejection(row: row, error: finding.describe("the line")))
        case nil:
            break
        }
        guard let object = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(line)) else {
            return .failure(BulkRejection(row: row, error: "the line is not a JSON object of strings, numbers and booleans"))
        }
        return .success(object.compactMapValues(\.text))
    }
}

/// A JSON value a row may hold.
struct JSONScalar: Decodable {
    var text: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            text = nil
        } else if let value = try? container.decode(String.self) {
            text = value
        } else if let value = try? container.decode(Bool.self) {
            text = value ? "true" : "false"
        } else if let value = try? container.decode(Int.self) {
            text = String(value)
        } else {
            text = String(try container.decode(Double.self))
        }
    }
}
