import CountersignCrypto
import Foundation
import PDFSyntax
import Templates

/// What every worker shares (all immutable and `Sendable`); each worker builds its own
/// `DocumentGenerator`, since a typesetter's pango and cairo objects must stay on one thread.
struct WorkerContext: Sendable {
    let template: CompiledTemplate
    let mapper: RowMapper
    let directory: URL
    let date: String?
    let allowMissingGlyphs: Bool

    /// Takes jobs until the queue is closed and drained. Workers start together: the typesetter
    /// serializes shaping across the process (`Typesetting`'s font system explains why), which is
    /// what used to make workers start one at a time.
    func work(queue: BoundedQueue<BatchGenerator.Job>, committer: OrderedCommitter<BatchGenerator.Outcome>,
              output: GroupCommitQueue) {
        let generator: DocumentGenerator
        do {
            generator = try DocumentGenerator(template: template, allowMissingGlyphs: allowMissingGlyphs)
        } catch {
            committer.fail(BatchError(.io, "cannot start a worker (fonts, pango): \(error)"))
            queue.close()
            return
        }
        while let job = queue.pop() {
            if committer.error != nil { continue }
            switch outcome(of: job, generator: generator) {
            case .done(let outcome):
                committer.complete(job.sequence, outcome)
            case .write(let bytes, let manifestLine, let warnings):
                // The row is finished once its file is durable (GroupCommitQueue, on its own thread).
                let (sequence, row, line, name) = (job.sequence, job.row, job.line, job.fileName)
                output.submit([bytes], as: name) { failure in
                    guard let failure else {
                        return committer.complete(sequence, .written(line: manifestLine, generated: true, warnings: warnings))
                    }
                    committer.complete(sequence, .failed([RowProblem(row: row, line: line, column: nil, field: nil,
                                                                     message: clipped("cannot write \(name): \(failure)"))]))
                }
            }
        }
    }

    /// A row's result, or the bytes to write and the manifest line it gets once they are durable.
    private enum Prepared {
        case done(BatchGenerator.Outcome)
        case write([UInt8], line: String, warnings: [RowProblem])
    }

    /// A diagnostic about a row as the error report records it.
    private func problem(_ job: BatchGenerator.Job, _ diagnostic: Diagnostic) -> RowProblem {
        var problem = mapper.problem(row: job.row, diagnostic)
        problem.line = job.line
        return problem
    }

    private func outcome(of job: BatchGenerator.Job, generator: DocumentGenerator) -> Prepared {
        let url = directory.appendingPathComponent(job.fileName)
        if let previous = job.previous, let data = FileManager.default.contents(atPath: url.path),
           DigestAlgorithm.sha256.hash(data).hexString == previous.sha256 {
            return .done(.written(line: previous.text, generated: false))
        }
        do {
            let output = try generator.generate(job.values, date: date)
            let entry = ManifestEntry(row: job.row, file: job.fileName, keys: job.keys, pages: output.pages,
                                      bytes: output.pdf.count, sha256: DigestAlgorithm.sha256.hash(output.pdf).hexString,
                                      template: "\(template.id)@\(template.version)", templateSHA256: template.sha256Hex,
                                      inputSHA256: job.inputSHA256)
            return .write(output.pdf, line: entry.line, warnings: output.warnings.map { problem(job, $0) })
        } catch let error as TemplateError {
            return .done(.failed(error.diagnostics.map { problem(job, $0) }))
        } catch {
            // A layout problem (a value too long for its place) belongs to the row's line too.
            return .done(.failed([RowProblem(row: job.row, line: job.line, column: nil, field: nil, message: clipped("\(error)"))]))
        }
    }
}
