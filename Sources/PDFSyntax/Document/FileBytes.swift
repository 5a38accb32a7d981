import Foundation

/// Reading whole files, with errors in our own terms.
enum FileBytes {
    static func read(path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PDFError(.io, "no such file: \(path)")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            return [UInt8](data)
        } catch {
            throw PDFError(.io, "cannot read \(path): \(error.localizedDescription)")
        }
    }
}
