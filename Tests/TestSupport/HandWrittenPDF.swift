public import Foundation

/// Small PDFs written by hand for tests: numbered object bodies (object 1 is the catalog) with a
/// correct cross-reference table.
public enum HandWrittenPDF {
    /// A stream object body with its /Length filled in.
    public static func stream(_ content: String, dictionary: String = "") -> String {
        "<< \(dictionary.isEmpty ? "" : dictionary + " ")/Length \(content.utf8.count) >>\nstream\n\(content)\nendstream"
    }

    /// The objects as a PDF; `trailerExtra` goes into the trailer after /Size and /Root.
    public static func assemble(_ objects: [String], trailerExtra: String = "") -> Data {
        var output = "%PDF-1.7\n"
        var offsets: [Int] = []
        for (index, body) in objects.enumerated() {
            offsets.append(output.utf8.count)
            output += "\(index + 1) 0 obj\n\(body)\nendobj\n"
        }
        let xref = output.utf8.count
        output += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { output += String(format: "%010d 00000 n \n", offset) }
        output += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R\(trailerExtra.isEmpty ? "" : " " + trailerExtra) >>\n"
        output += "startxref\n\(xref)\n%%EOF\n"
        return Data(output.utf8)
    }
}
