import PDFSyntax

/// The glyphs one document draws with one font file, and the text each stands for.
struct FontUsage {
    let face: FontFace
    /// The resource name in page dictionaries (`F1`, `F2`, … in order of first use).
    let resourceName: String
    var glyphs: Set<UInt32> = []
    /// Text for glyphs whose cluster says something other than the font's cmap (ligatures,
    /// glyphs the cmap does not reach); first use wins.
    var text: [UInt32: String] = [:]
}

/// Embeds fonts as Type0 / CIDFontType2 (or CIDFontType0 for OpenType/CFF) with Identity-H,
/// `/W` widths, a ToUnicode CMap and a HarfBuzz subset, caching subsets per typesetter.
///
/// A subset depends only on the font file and the glyph set (rounded up to whole cmap blocks),
/// so documents with the same set reuse the compressed bytes; what the cache holds never
/// changes what is written, so any worker writes the same bytes for the same document.
final class FontEmbedder {
    private struct SubsetKey: Hashable {
        var face: String
        var blocks: [UInt32]
        var extras: [UInt32]
    }

    private struct Subset {
        var glyphs: [UInt32]
        var tag: String
        var fontFile: [UInt8]
        var length: Int
        var widths: PDFObject
    }

    private struct ToUnicodeKey: Hashable {
        var subset: SubsetKey
        var overrides: [UInt32: String]
    }

    private var subsets: [SubsetKey: Subset] = [:]
    private var toUnicodes: [ToUnicodeKey: [UInt8]] = [:]
    /// Entries kept before a cache is emptied (a batch of varied documents must not grow without bound).
    private let limit = 256

    /// zlib level for font programs (compressed once per subset, then cached).
    static let fontLevel = 6

    /// Adds the font objects for `usage` to `file`, the Type0 font dictionary at `reference`.
    func embed(_ usage: FontUsage, as reference: PDFReference, into file: inout PDFObjectFile) throws {
        let face = usage.face
        let (blocks, extras) = face.subsetKey(for: usage.glyphs)
        let key = SubsetKey(face: face.key, blocks: blocks, extras: extras)
        let subset = try cachedSubset(key, face: face)
        let glyphs = subset.glyphs
        let baseName = "\(subset.tag)+\(face.postScriptName)"

        var overrides: [UInt32: String] = [:]
        for (glyph, text) in usage.text {
            let scalars = text.unicodeScalars
            if scalars.count == 1, let unicode = face.unicodeOfGlyph[glyph], scalars.first!.value == unicode { continue }
            overrides[glyph] = text
        }
        let unicodeKey = ToUnicodeKey(subset: key, overrides: overrides)
        let toUnicode: [UInt8]
        if let cached = toUnicodes[unicodeKey] {
            toUnicode = cached
        } else {
            toUnicode = try Flate.encode(FontEmbedder.toUnicodeCMap(glyphs: glyphs, face: face, overrides: overrides),
                                         level: FontEmbedder.fontLevel)
            if toUnicodes.count >= limit { toUnicodes.removeAll() }
            toUnicodes[unicodeKey] = toUnicode
        }

        var fontFileDictionary: PDFDictionary = ["Filter": .name("FlateDecode")]
        if face.isCFF {
            fontFileDictionary["Subtype"] = .name("OpenType")
        } else {
            fontFileDictionary["Length1"] = .integer(subset.length)
        }
        let fontFile = file.add(.stream(PDFStream(dictionary: fontFileDictionary, encodedData: subset.fontFile)))
        let box = face.boundingBox
        let descriptor = file.add(.dictionary([
            "Type": .name("FontDescriptor"), "FontName": .name(PDFName(baseName)), "Flags": 4,
            "FontBBox": .array([box.0, box.1, box.2, box.3].map { .integer(Int($0.rounded())) }),
            "ItalicAngle": .number(face.italicAngle), "Ascent": .integer(Int(face.ascent.rounded())),
            "Descent": .integer(Int(face.descent.rounded())), "CapHeight": .integer(Int(face.capHeight.rounded())),
            "StemV": 80, PDFName(face.isCFF ? "FontFile3" : "FontFile2"): .reference(fontFile),
        ]))
        var cidFont: PDFDictionary = [
            "Type": .name("Font"), "Subtype": .name(face.isCFF ? "CIDFontType0" : "CIDFontType2"),
            "BaseFont": .name(PDFName(baseName)),
            "CIDSystemInfo": .dictionary(["Registry": .string(PDFString(text: "Adobe")),
                                          "Ordering": .string(PDFString(text: "Identity")), "Supplement": 0]),
            "FontDescriptor": .reference(descriptor), "W": subset.widths,
        ]
        if !face.isCFF { cidFont["CIDToGIDMap"] = .name("Identity") }
        let descendant = file.add(.dictionary(cidFont))
        let cmap = file.add(.stream(PDFStream(dictionary: ["Filter": .name("FlateDecode")], encodedData: toUnicode)))
        file[reference] = .dictionary([
            "Type": .name("Font"), "Subtype": .name("Type0"), "BaseFont": .name(PDFName(baseName)),
            "Encoding": .name("Identity-H"), "DescendantFonts": .array([.reference(descendant)]),
            "ToUnicode": .reference(cmap),
        ])
    }

    private func cachedSubset(_ key: SubsetKey, face: FontFace) throws -> Subset {
        if let cached = subsets[key] { return cached }
        let glyphs = face.subsetGlyphs(blocks: key.blocks, extras: key.extras)
        let program = try face.subset(glyphs)
        let subset = Subset(glyphs: glyphs, tag: FontEmbedder.tag(for: glyphs, face: face.key),
                            fontFile: try Flate.encode(program, level: FontEmbedder.fontLevel), length: program.count,
                            widths: FontEmbedder.widths(glyphs, face: face))
        if subsets.count >= limit { subsets.removeAll() }
        subsets[key] = subset
        return subset
    }

    /// `/W`: runs of consecutive glyph ids with their widths, `[first [w w …] first [w …] …]`.
    private static func widths(_ glyphs: [UInt32], face: FontFace) -> PDFObject {
        var array: [PDFObject] = []
        var index = 0
        while index < glyphs.count {
            let first = glyphs[index]
            var run: [PDFObject] = []
            var next = first
            while index < glyphs.count, glyphs[index] == next {
                run.append(.integer(face.width(of: next)))
                index += 1
                next += 1
            }
            array.append(.integer(Int(first)))
            array.append(.array(run))
        }
        return .array(array)
    }

    /// The six-letter subset tag (PDF 32000 §9.6.4), from the font and glyph set alone.
    private static func tag(for glyphs: [UInt32], face: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in face.utf8 { mix(byte) }
        for glyph in glyphs {
            mix(UInt8(glyph & 0xFF)); mix(UInt8(glyph >> 8 & 0xFF)); mix(UInt8(glyph >> 16 & 0xFF))
        }
        var letters: [UInt8] = []
        for _ in 0..<6 {
            letters.append(UInt8(ascii: "A") + UInt8(hash % 26))
            hash /= 26
        }
        return String(decoding: letters, as: UTF8.self)
    }

    /// A ToUnicode CMap (PDF 32000 §9.10.3) for 2-byte glyph ids: the document's text for
    /// overridden glyphs, the font's cmap for the rest.
    static func toUnicodeCMap(glyphs: [UInt32], face: FontFace, overrides: [UInt32: String]) -> [UInt8] {
        var entries: [(UInt32, [UInt16])] = []
        for glyph in glyphs {
            if let text = overrides[glyph] {
                let units = Array(text.utf16)
                if !units.isEmpty { entries.append((glyph, units)) }
            } else if let unicode = face.unicodeOfGlyph[glyph], let scalar = Unicode.Scalar(unicode) {
                entries.append((glyph, Array(String(Character(scalar)).utf16)))
            }
        }
        var out = ContentStream()
        out.op("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
        out.op("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
        out.op("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n")
        out.op("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
        var start = 0
        while start < entries.count {
            let chunk = entries[start..<min(start + 100, entries.count)]
            out.raw("\(chunk.count) beginbfchar\n")
            for (glyph, units) in chunk {
                out.byte(UInt8(ascii: "<"))
                out.glyph(glyph)
                out.op("> <")
                for unit in units { out.glyph(UInt32(unit)) }
                out.op(">\n")
            }
            out.op("endbfchar\n")
            start += 100
        }
        out.op("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
        return out.bytes
    }
}
