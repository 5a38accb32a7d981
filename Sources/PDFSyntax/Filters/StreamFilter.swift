/// A standard stream filter (ISO 32000-2 §7.4.1, Table 6).
public enum StreamFilter: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ASCIIHexDecode (`/AHx`).
    case asciiHex
    /// ASCII85Decode (`/A85`).
    case ascii85
    /// LZWDecode (`/LZW`).
    case lzw
    /// FlateDecode (`/Fl`): zlib.
    case flate
    /// RunLengthDecode (`/RL`).
    case runLength
    /// CCITTFaxDecode (`/CCF`): an image codec.
    case ccittFax
    /// JBIG2Decode: an image codec.
    case jbig2
    /// DCTDecode (`/DCT`): JPEG, an image codec.
    case dct
    /// JPXDecode: JPEG 2000, an image codec.
    case jpx
    /// Crypt: decryption, the security handler's job.
    case crypt

    /// The filter for a /Filter name, full or abbreviated (`/AHx /A85 /LZW /Fl /RL /CCF /DCT`);
    /// nil for a name that is not a standard filter.
    public init?(name: PDFName) {
        switch name.string {
        case "ASCIIHexDecode", "AHx": self = .asciiHex
        case "ASCII85Decode", "A85": self = .ascii85
        case "LZWDecode", "LZW": self = .lzw
        case "FlateDecode", "Fl": self = .flate
        case "RunLengthDecode", "RL": self = .runLength
        case "CCITTFaxDecode", "CCF": self = .ccittFax
        case "JBIG2Decode": self = .jbig2
        case "DCTDecode", "DCT": self = .dct
        case "JPXDecode": self = .jpx
        case "Crypt": self = .crypt
        default: return nil
        }
    }

    /// The filter's full name, as a writer should spell it.
    public var name: PDFName {
        switch self {
        case .asciiHex: return "ASCIIHexDecode"
        case .ascii85: return "ASCII85Decode"
        case .lzw: return "LZWDecode"
        case .flate: return "FlateDecode"
        case .runLength: return "RunLengthDecode"
        case .ccittFax: return "CCITTFaxDecode"
        case .jbig2: return "JBIG2Decode"
        case .dct: return "DCTDecode"
        case .jpx: return "JPXDecode"
        case .crypt: return "Crypt"
        }
    }

    /// Whether this is an image codec, which this layer leaves encoded.
    public var isImageCodec: Bool {
        switch self {
        case .ccittFax, .jbig2, .dct, .jpx: return true
        default: return false
        }
    }

    /// Whether `StreamDecoder` can decode this filter.
    public var isDecodable: Bool { !isImageCodec && self != .crypt }

    /// The full name with its slash, e.g. `/FlateDecode`.
    public var description: String { name.description }
}

/// One step of a stream's filter chain: a filter and its /DecodeParms dictionary, if any.
public struct FilterStage: Sendable, Hashable {
    /// The filter.
    public var filter: StreamFilter
    /// Its /DecodeParms dictionary; nil when absent or null.
    public var parameters: PDFDictionary?

    /// A stage for `filter`, with `parameters` if it has any.
    public init(_ filter: StreamFilter, parameters: PDFDictionary? = nil) {
        self.filter = filter
        self.parameters = parameters
    }
}
