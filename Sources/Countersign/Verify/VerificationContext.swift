import Foundation
import PDFSyntax
public import Verification

/// What the text report of `verify` adds around a file's verification report: for a file whose
/// end is not a complete revision (cut off while copying or uploading), the verdict on the
/// complete revisions before it.
///
/// Read with the strict reader, separately from the verifier: nothing here changes a verdict.
public enum VerificationContext {
    /// A file whose last bytes are not a complete revision: where the complete part ends and how
    /// that part verifies.
    public struct IntactPart: Sendable {
        /// The byte count of the complete revisions (up to the end of the last `%%EOF` line).
        public var bytes: Int
        /// The bytes after it that no revision explains.
        public var trailing: Int
        public var report: VerificationReport
    }

    /// For a file that failed because bytes follow its last complete revision, the verification
    /// of the complete revisions before them; nil otherwise.
    public static func intactPart(path: String, verifier: PDFVerifier) -> IntactPart? {
        guard let bytes = try? PDFBytes(mappingFile: path), let end = endOfLastEOF(bytes), end < bytes.count else { return nil }
        var tail = end
        while tail < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x00].contains(bytes[tail]) { tail += 1 }
        guard tail < bytes.count else { return nil }
        let prefix = PDFBytes(bytes.array(0..<end))
        let report = verifier.verify(bytes: prefix, name: path)
        guard report.revisions > 0 else { return nil }
        return IntactPart(bytes: end, trailing: bytes.count - end, report: report)
    }

    /// The offset just after the end-of-line that follows the last `%%EOF`.
    private static func endOfLastEOF(_ bytes: PDFBytes) -> Int? {
        let marker = Array("%%EOF".utf8)
        var index = bytes.count - marker.count
        while index >= 0 {
            if bytes[index] == marker[0], (0..<marker.count).allSatisfy({ bytes[index + $0] == marker[$0] }) {
                var end = index + marker.count
                if end < bytes.count, bytes[end] == 0x0D { end += 1 }
                if end < bytes.count, bytes[end] == 0x0A { end += 1 }
                return end
            }
            index -= 1
        }
        return nil
    }
}
