import Foundation
import PDFSyntax

/// A PDF signed by something other than our signer: the test contract gets an invisible
/// signature field whose dictionary has the chosen `/SubFilter` and a zero `/Contents`; the
/// byte ranges around it are handed to a closure (openssl, or a CMS made by hand) and what it
/// returns is written into `/Contents`.
enum ExternalSignature {
    /// Signs the contract. `make` gets the signed bytes (both ranges, concatenated) and returns
    /// the `/Contents` value. `extra` adds keys to the signature dictionary (e.g. `/Cert`);
    /// `catalog` edits the catalog in the same revision (e.g. `/Perms`).
    /// `directValue`: the field's `/V` holds the dictionary itself, not a reference (fpdf2 does so).
    static func sign(subFilter: String, placeholder: Int = 16_000, extra: PDFDictionary = [:], directValue: Bool = false,
                     catalog: ((inout PDFDictionary, inout IncrementalUpdate) throws -> Void)? = nil,
                     _ make: ([UInt8]) throws -> [UInt8]) throws -> [UInt8] {
        let document = try PDFDocument(bytes: VerificationFixtures.shared.contract)
        var update = IncrementalUpdate(document: document)
        var dictionary: PDFDictionary = [
            "Type": .name("Sig"), "Filter": .name("Adobe.PPKLite"), "SubFilter": .name(PDFName(subFilter)),
            "ByteRange": [0, 1_111_111_111, 1_111_111_111, 1_111_111_111],
            "Contents": .string(PDFString(bytes: [UInt8](repeating: 0, count: placeholder), syntax: .hex)),
            // A little after now: the test PKI makes a leaf on its first use (maybe inside `make`,
            // after this), so an earlier time could precede the leaf's notBefore.
            "M": .string(PDFString(text: "D:" + Self.pdfDate(Date().addingTimeInterval(300)))),
        ]
        for (key, value) in extra { dictionary[key] = value }
        let value: PDFObject = directValue ? .dictionary(dictionary) : .reference(update.add(.dictionary(dictionary)))
        let page = try document.pages()[0]
        let field = update.add(.dictionary([
            "Type": .name("Annot"), "Subtype": .name("Widget"), "FT": .name("Sig"), "T": .string(PDFString(text: "ExternalSig")),
            "Rect": [0, 0, 0, 0], "F": 132, "P": .reference(page.reference), "V": value,
        ]))
        try DocumentEdits.addToForm(field, document: document, update: &update)
        try DocumentEdits.addAnnotation(field, page: page, document: document, update: &update)
        if let catalog, let reference = document.catalogReference() {
            var dictionary = try update.objects[reference]?.dictionaryValue ?? document.catalog()
            try catalog(&dictionary, &update)
            update.set(reference, .dictionary(dictionary))
        }
        var bytes = update.write().bytes
        let layout = SignatureLayout(bytes)
        ByteSurgery.setByteRange(&bytes, layout, ["0", String(layout.contentsStart), String(layout.contentsEnd),
                                                  String(bytes.count - layout.contentsEnd)])
        let contents = try make(Array(bytes[..<layout.contentsStart]) + Array(bytes[layout.contentsEnd...]))
        guard contents.count <= placeholder else {
            throw PDFError(.invalidArgument, "the signature (\(contents.count) bytes) does not fit the \(placeholder)-byte placeholder")
        }
        fill(&bytes, layout, with: contents)
        return bytes
    }

    /// Writes `value` as hex into the layout's `/Contents` span, zero padded.
    static func fill(_ bytes: inout [UInt8], _ layout: SignatureLayout, with value: [UInt8]) {
        let digits = Array("0123456789ABCDEF".utf8)
        var hex: [UInt8] = [UInt8(ascii: "<")]
        for byte in value { hex += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        precondition(hex.count + 1 <= layout.contentsEnd - layout.contentsStart, "the /Contents placeholder is too small")
        hex += Array(repeating: UInt8(ascii: "0"), count: layout.contentsEnd - layout.contentsStart - 1 - hex.count)
        hex.append(UInt8(ascii: ">"))
        bytes.replaceSubrange(layout.contentsStart..<layout.contentsEnd, with: hex)
    }

    /// The hex digits of the newest `/Contents` (for asserting what the encoding starts with).
    static func contentsHex(_ bytes: [UInt8]) -> String {
        let layout = SignatureLayout(bytes)
        return String(decoding: bytes[(layout.contentsStart + 1)..<(layout.contentsEnd - 1)], as: UTF8.self)
    }

    static func pdfDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return formatter.string(from: date) + "Z"
    }
}
