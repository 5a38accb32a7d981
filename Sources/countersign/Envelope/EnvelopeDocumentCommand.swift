import ArgumentParser
import Countersign
import Foundation

/// `countersign envelope document ID [--document doc_1] --out FILE|-`: an envelope's document —
/// the sealed file once completed, the generated or uploaded one before.
struct EnvelopeDocumentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "document", abstract: "Write an envelope's document (sealed once completed) to a file.")
    @OptionGroup var options: WorkflowOptions
    @Argument(help: "The envelope id.") var id: String
    @Option(help: "The document's id in the envelope (doc_1, doc_2, …).") var document = "doc_1"
    @Option(help: "Where to write it (- for standard output).") var out: String

    func run() throws {
        let (home, principal) = try options.openWithKey()
        let (id, documentID) = (self.id, document)
        let (document, bytes) = try options.run { try await home.engine.document(principal, envelope: id, document: documentID) }
        try StandardStreams.write([bytes], to: out)
        guard out != StandardStreams.name else { return }
        let sealed = document.sealedSHA256 != nil
        options.output(CanonicalJSON.object([
            "envelope": .string(id), "document": .string(document.id), "name": .string(document.name), "file": .string(out),
            "bytes": .int(bytes.count), "sealed": .bool(sealed),
        ]).text, text: "\(out): \(document.name), \(bytes.count) bytes, " + (sealed ? "sealed" : "not sealed yet (the envelope is not completed)"))
    }
}
