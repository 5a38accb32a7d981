import Foundation

/// The names nearly every PDF repeats, each stored once. A parsed or literal `PDFName` with one
/// of these spellings shares the stored bytes: no allocation per occurrence, and dictionary
/// lookups compare keys by identity first (Array's `==` fast path).
enum CommonNames {
    private static let spellings = [
        "Type", "Page", "Pages", "Parent", "Kids", "Count", "MediaBox", "CropBox", "BleedBox", "TrimBox", "ArtBox",
        "Rotate", "Resources", "Contents", "Font", "XObject", "ProcSet", "PDF", "Text", "ImageB", "ImageC", "ImageI",
        "ExtGState", "ColorSpace", "Pattern", "Shading", "Length", "Filter", "FlateDecode", "DecodeParms", "Subtype",
        "BaseFont", "Encoding", "WinAnsiEncoding", "Type0", "Type1", "TrueType", "FontDescriptor", "Widths",
        "FirstChar", "LastChar", "ToUnicode", "DescendantFonts", "Annots", "Annot", "Widget", "Rect", "Border",
        "FT", "T", "V", "P", "F", "Ff", "AP", "AS", "N", "D", "DA", "MK", "DR", "Sig", "Tx", "Btn", "Ch",
        "First", "ObjStm", "XRef", "W", "Index", "Size", "Root", "Info", "Prev", "ID", "Catalog", "AcroForm",
        "Fields", "SigFlags", "Metadata", "XML", "Producer", "Creator", "Title", "Author", "Subject", "Keywords",
        "CreationDate", "ModDate", "Columns", "Predictor", "BitsPerComponent", "Width", "Height", "DeviceRGB",
        "DeviceGray", "DeviceCMYK", "Group", "Transparency", "CS", "S", "BBox", "Matrix", "Form", "FormType",
        "StructParents", "StructTreeRoot", "MarkInfo", "Tabs", "Lang", "Names", "Outlines", "Dests", "Linearized",
        "XRefStm", "Encrypt", "ByteRange", "SubFilter", "Reason", "Location", "M", "Name", "Cert", "Reference",
        "Perms", "DocMDP", "DSS", "VRI", "Extensions", "OpenAction", "PageLayout", "PageMode", "ViewerPreferences",
        "Dest", "A", "URI", "Link", "H", "C", "Q", "Lock", "SV", "Helvetica", "Helvetica-Bold", "Courier", "Times-Roman",
        "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "GS1", "Im1", "Im2", "TT0", "TT1", "TT2", "FontFile2",
    ]

    /// The spellings in buckets by length and first and last byte (a bucket rarely holds two).
    private static let buckets: [[[UInt8]]] = {
        var table = [[[UInt8]]](repeating: [], count: bucketCount)
        for spelling in spellings {
            let bytes = Array(spelling.utf8)
            table[bucket(count: bytes.count, first: bytes[0], last: bytes[bytes.count - 1])].append(bytes)
        }
        return table
    }()

    private static let bucketCount = 512

    @inline(__always) private static func bucket(count: Int, first: UInt8, last: UInt8) -> Int {
        (count &* 131 &+ Int(first) &* 31 &+ Int(last)) & (bucketCount - 1)
    }

    /// The shared bytes of a common name, or nil.
    static func shared(_ name: UnsafeRawBufferPointer) -> [UInt8]? {
        guard name.count > 0, let base = name.baseAddress else { return nil }
        for candidate in buckets[bucket(count: name.count, first: name[0], last: name[name.count - 1])]
        where candidate.count == name.count {
            let same = candidate.withUnsafeBytes { memcmp($0.baseAddress!, base, name.count) == 0 }
            if same { return candidate }
        }
        return nil
    }

    /// The bytes of a name: the shared copy when it is a common one, else a new array.
    static func bytes(_ name: UnsafeRawBufferPointer) -> [UInt8] {
        shared(name) ?? Array(name)
    }
}

extension PDFName {
    /// A name from its decoded bytes, sharing storage with the common names.
    init(interning name: UnsafeRawBufferPointer) { self.init(bytes: CommonNames.bytes(name)) }
}
