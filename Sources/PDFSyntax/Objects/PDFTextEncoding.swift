/// PDF text strings (ISO 32000-2 §7.9.2.2): UTF-16BE or UTF-8 with a byte-order mark, else PDFDocEncoding.
public enum PDFTextEncoding {
    /// Decodes a text string's bytes.
    public static func decode(_ bytes: [UInt8]) -> String {
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = 2
            while index + 1 < bytes.count {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            return String(decoding: bytes[3...], as: UTF8.self)
        }
        // Printable ASCII is itself in PDFDocEncoding: the common case needs no table.
        if bytes.allSatisfy({ (0x20...0x7E).contains($0) }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let code = pdfDocToUnicode[Int(byte)]
            if code != 0, let scalar = Unicode.Scalar(code) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// Decodes a text string's bytes only if every byte means a character: UTF-16BE of whole,
    /// valid code units, valid UTF-8, or PDFDocEncoding without undefined codes; else nil. Two
    /// strings that decode exactly to the same text are the same text string in any of the
    /// three encodings (`<FEFF>` and `()` are both the empty string).
    public static func decodeExactly(_ bytes: [UInt8]) -> String? {
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            guard bytes.count % 2 == 0 else { return nil }
            let units = stride(from: 2, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            return String(validating: units, as: UTF16.self)
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            return String(validating: bytes[3...], as: UTF8.self)
        }
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) || pdfDocToUnicode[Int($0)] != 0 }) else { return nil }
        return decode(bytes)
    }

    /// Encodes text in PDFDocEncoding, or returns nil if some character has no code there.
    public static func pdfDocEncode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if let byte = unicodeToPDFDoc[scalar.value] { out.append(byte) } else { return nil }
        }
        return out
    }

    /// PDFDocEncoding → Unicode (0 = undefined). Printable ASCII and Latin-1 map to themselves;
    /// 0x18–0x1F and 0x80–0xA0 hold the typographic characters of Annex D.
    static let pdfDocToUnicode: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        for code in 0..<256 { table[code] = UInt32(code) }
        let specials: [Int: UInt32] = [
            0x18: 0x02D8, 0x19: 0x02C7, 0x1A: 0x02C6, 0x1B: 0x02D9, 0x1C: 0x02DD, 0x1D: 0x02DB, 0x1E: 0x02DA, 0x1F: 0x02DC,
            0x7F: 0,
            0x80: 0x2022, 0x81: 0x2020, 0x82: 0x2021, 0x83: 0x2026, 0x84: 0x2014, 0x85: 0x2013, 0x86: 0x0192, 0x87: 0x2044,
            0x88: 0x2039, 0x89: 0x203A, 0x8A: 0x2212, 0x8B: 0x2030, 0x8C: 0x201E, 0x8D: 0x201C, 0x8E: 0x201D, 0x8F: 0x2018,
            0x90: 0x2019, 0x91: 0x201A, 0x92: 0x2122, 0x93: 0xFB01, 0x94: 0xFB02, 0x95: 0x0141, 0x96: 0x0152, 0x97: 0x0160,
            0x98: 0x0178, 0x99: 0x017D, 0x9A: 0x0131, 0x9B: 0x0142, 0x9C: 0x0153, 0x9D: 0x0161, 0x9E: 0x017E, 0x9F: 0,
            0xA0: 0x20AC, 0xAD: 0,
        ]
        for (code, value) in specials { table[code] = value }
        return table
    }()

    static let unicodeToPDFDoc: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (code, value) in pdfDocToUnicode.enumerated() where value != 0 {
            // Control characters other than tab/newline/return are not text.
            if code < 0x20, ![0x09, 0x0A, 0x0D].contains(code), code < 0x18 { continue }
            map[value] = UInt8(code)
        }
        return map
    }()
}
