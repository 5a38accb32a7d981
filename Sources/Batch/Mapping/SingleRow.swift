public import Foundation
public import Templates

/// One CSV row read, mapped and checked exactly as `generate` reads each row — the same mapping,
/// cell formats, type and rule checks — so that `render --csv --row N` and `generate` report the
/// same problems for the same row.
public struct SingleRow: Sendable {
    /// The data row (1-based; the header is not a row).
    public let row: Int
    /// The mapped values (meaningful when `problems` is empty).
    public let values: [String: TemplateValue]
    /// Everything wrong with the row, in the order `generate`'s error report lists it.
    public let problems: [RowProblem]
    private let mapper: RowMapper
    /// As `BatchGenerator.headerWarnings`: an optional field with no column next to a column no
    /// field reads.
    public var headerWarnings: [String] { mapper.headerWarnings }

    /// Reads data row `row` of `csv`. Throws `BatchError`: `.missingInput` for a missing file,
    /// `.invalidInput` for an unreadable file or a row the file does not have, `.mapping` for a
    /// mapping that does not fit the template or the header.
    public init(csv: URL, row: Int, template: CompiledTemplate, mapping: BatchMapping? = nil,
                mappingPath: String = "mapping", encoding: CSVEncoding = .utf8) throws(BatchError) {
        let path = csv.relativePath
        guard FileManager.default.fileExists(atPath: csv.path) else { throw BatchError(.missingInput, "\(path): no such CSV file") }
        let reader: CSVReader
        do {
            reader = try CSVReader(url: csv, encoding: encoding)
        } catch let error as CSVFileError {
            throw BatchError(error.cannotOpen ? .missingInput : .invalidInput, "\(path): \(error.message)")
        } catch {
            throw BatchError(.invalidInput, "\(path): \(error)")
        }
        mapper = try RowMapper(template: template, mapping: mapping, header: reader.header, mappingPath: mappingPath,
                               csvPath: path)
        self.row = row
        var rows = 0
        do {
            while let next = try reader.next() {
                switch next {
                case .success(let record):
                    rows = record.row
                    guard record.row == row else { continue }
                    let mapped = mapper.map(record)
                    values = mapped.values
                    problems = mapped.problems
                    return
                case .failure(let failure):
                    rows = failure.row
                    guard failure.row == row else { continue }
                    values = [:]
                    problems = [mapper.problem(failure, header: reader.header)]
                    return
                }
            }
        } catch {
            throw BatchError(.invalidInput, "\(path): cannot read: \(error)")
        }
        throw BatchError(.invalidInput, "\(path): has no data row \(row); it has \(rows) (rows count from 1 after the header)")
    }

    /// The problems of binding or typesetting this row, as `generate` records them.
    public func problems(for error: TemplateError) -> [RowProblem] {
        error.diagnostics.map { mapper.problem(row: row, $0) }
    }
}
