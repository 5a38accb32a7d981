import Crypto
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

    /// Takes jobs until the queue is closed and drained. Workers start together: the typesetter
    /// serializes shaping across the process (`Typesetting`'s font system explains why), which is
    /// what used to make workers start one at a time.
    func work(queue: BoundedQueue<BatchGenerator.Job>, committer: OrderedCommitter<BatchGenerator.Outcome>) {
        let generator: DocumentGenerator
        do {
            generator = try DocumentGenerator(template: template)
        } catch {
            committer.fail(BatchError(.io, "cannot start a worker (fonts, pango): \(error)"))
            queue.close()
            return
        }
        while let job = queue.pop() {
            if committer.error != nil { continue }
            committer.complete(job.sequence, outcome(of: job, generator: generator))
        }
    }

    private func outcome(of job: BatchGenerator.Job, generator: DocumentGenerator) -> BatchGenerator.Outcome {
        let url = directory.appendingPathComponent(job.fileName)
        if let previous = job.previous, let data = FileManager.default.contents(atPath: url.path),
           DigestAlgorithm.sha256.hash(data).hexString == previous.sha256 {
            return .written(line: previous.text, generated: false)
        }
        do {
            let output = try generator.generate(job.values, date: date)
            try AtomicFile.write(output.pdf, to: url)
            let entry = ManifestEntry(row: job.row, file: job.fileName, keys: job.keys, pages: output.pages,
                                      bytes: output.pdf.count, sha256: DigestAlgorithm.sha256.hash(output.pdf).hexString,
                                      template: "\(template.id)@\(template.version)", templateSHA256: template.sha256Hex,
                                      inputSHA256: job.inputSHA256)
            return .written(line: entry.line, generated: true)
        } catch let error as TemplateError {
            return .failed(error.diagnostics.map { diagnostic in
                RowProblem(row: job.row, line: nil, column: diagnostic.field.flatMap(mapper.column(of:)),
                           field: diagnostic.field ?? diagnostic.element.map { "<\($0)>" },
                           message: clipped(diagnostic.message))
            })
        } catch {
            return .failed([RowProblem(row: job.row, line: nil, column: nil, field: nil, message: clipped("\(error)"))])
        }
    }
}
