internal import CZlib

/// What a JPEG's markers say: its frame (size, components), its EXIF orientation, and whether
/// its structure is whole.
enum JPEGInfo {
    /// The pixel size and colour components from the SOF marker.
    static func frame(of bytes: [UInt8]) -> (width: Int, height: Int, components: Int)? {
        var frame: (Int, Int, Int)?
        walk(bytes) { marker, segment in
            guard (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC, segment.count >= 6 else { return true }
            let height = Int(bytes[segment.lowerBound + 1]) << 8 | Int(bytes[segment.lowerBound + 2])
            let width = Int(bytes[segment.lowerBound + 3]) << 8 | Int(bytes[segment.lowerBound + 4])
            let components = Int(bytes[segment.lowerBound + 5])
            if width > 0, height > 0, [1, 3, 4].contains(components) { frame = (width, height, components) }
            return false
        }
        return frame
    }

    /// The EXIF orientation (1–8) of the APP1 segment, or 1.
    static func orientation(of bytes: [UInt8]) -> Int {
        var orientation = 1
        walk(bytes) { marker, segment in
            guard marker == 0xE1, segment.count > 14, bytes[segment.lowerBound..<(segment.lowerBound + 6)].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0]) else {
                return marker != 0xDA
            }
            orientation = tiffOrientation(Array(bytes[(segment.lowerBound + 6)..<segment.upperBound])) ?? 1
            return false
        }
        return orientation
    }

    /// Tag 274 of a TIFF header's first IFD.
    private static func tiffOrientation(_ tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little = tiff[0] == 0x49 && tiff[1] == 0x49
        guard little || (tiff[0] == 0x4D && tiff[1] == 0x4D) else { return nil }
        func read(_ offset: Int, _ size: Int) -> Int? {
            guard offset >= 0, offset + size <= tiff.count else { return nil }
            let part = tiff[offset..<(offset + size)]
            return (little ? Array(part.reversed()) : Array(part)).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let ifd = read(4, 4), let count = read(ifd, 2) else { return nil }
        for entry in 0..<min(count, 512) {
            let at = ifd + 2 + entry * 12
            guard let tag = read(at, 2) else { return nil }
            if tag == 0x0112, read(at + 2, 2) == 3, let value = read(at + 8, 2) { return (1...8).contains(value) ? value : nil }
        }
        return nil
    }

    /// Why the JPEG cannot be printed as it is, or nil: a structure that stops before the end
    /// of the picture (a truncated file), or a frame larger than its data could hold.
    static func problem(_ bytes: [UInt8]) -> String? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return "it does not start with a JPEG marker" }
        guard let frame = frame(of: bytes) else { return "it has no readable frame header (SOF)" }
        var scanStart: Int?
        walk(bytes) { marker, segment in
            if marker == 0xDA { scanStart = segment.upperBound }
            return marker != 0xDA
        }
        guard let scanStart else { return "it ends before its image data (no SOS marker): the file is truncated" }
        // The end of image (FF D9) must follow the data: without it the file was cut short.
        var end = bytes.count - 1
        while end > scanStart, bytes[end] != 0xD9 || bytes[end - 1] != 0xFF { end -= 1 }
        guard end > scanStart else { return "it has no end-of-image marker after its data: the file is truncated" }
        // Every 8×8 block of the picture costs at least one bit of coded data.
        let blocks = ((frame.width + 7) / 8) * ((frame.height + 7) / 8)
        if (end - scanStart) * 8 < blocks {
            return "its header says \(frame.width)×\(frame.height) pixels, but its \(end - scanStart) bytes of data cannot hold that many: the header is wrong"
        }
        return nil
    }

    /// Calls `visit(marker, segment)` for each marker segment up to the first scan; stops when
    /// it returns false or the structure breaks.
    private static func walk(_ bytes: [UInt8], _ visit: (UInt8, Range<Int>) -> Bool) {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return }
        var index = 2
        while index + 3 < bytes.count {
            guard bytes[index] == 0xFF else { return }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { index += 2; continue }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { return }
            guard visit(marker, (index + 4)..<(index + 2 + length)), marker != 0xDA else { return }
            index += 2 + length
        }
    }
}

/// Whether a PNG's chunks are whole: each with its length and CRC, ending with IEND.
enum PNGInfo {
    /// The longest side a PNG may have (what the decoder takes).
    static let maximumSide = 32767

    /// The width and height its IHDR chunk gives (read before `problem` has checked it).
    static func size(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 24 else { return nil }
        return (bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }, bytes[20..<24].reduce(0) { $0 << 8 | Int($1) })
    }

    static func problem(_ bytes: [UInt8]) -> String? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { return "it does not start with the PNG signature" }
        guard bytes.count >= 24, bytes[12..<16].elementsEqual("IHDR".utf8), let (width, height) = size(bytes) else {
            return "it has no IHDR header chunk"
        }
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            return "it is \(width)×\(height) pixels; a side may be 1 to \(maximumSide) pixels"
        }
        var index = 8
        var sawData = false
        while index + 12 <= bytes.count {
            let length = bytes[index..<(index + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            guard length <= Int(Int32.max), index + 12 + length <= bytes.count else {
                return "its \(type) chunk at byte \(index) runs past the end of the file: the file is truncated"
            }
            let stored = bytes[(index + 8 + length)..<(index + 12 + length)].reduce(0) { $0 << 8 | UInt32($1) }
            let computed = bytes.withUnsafeBufferPointer { buffer in
                UInt32(crc32(0, buffer.baseAddress! + index + 4, UInt32(length + 4)))
            }
            guard stored == computed else { return "its \(type) chunk at byte \(index) is damaged (its CRC does not match)" }
            if type == "IDAT" { sawData = true }
            if type == "IEND" { return sawData ? nil : "it has no image data (IDAT)" }
            index += 12 + length
        }
        return "it has no IEND chunk: the file is truncated"
    }
}

extension Image {
    /// Why the image cannot be printed (a truncated or damaged file, a size its data cannot
    /// hold), or nil. Checked without decoding the pixels, so a template can say it when it is
    /// compiled, with the line of its `<image>`.
    public var problem: String? {
        switch format {
        case .png: PNGInfo.problem(data)
        case .jpeg: JPEGInfo.problem(data)
        }
    }
}
