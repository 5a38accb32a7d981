import Foundation
import PDFSyntax
import Testing

/// Decodes through the public pipeline with one filter name or an array of them.
private func decode(_ data: [UInt8], _ filter: PDFObject?, parms: PDFObject? = nil, max: Int = 1 << 20,
                    tolerant: Bool = false) throws -> [UInt8] {
    try StreamDecoder.decode(data, filter: filter, decodeParms: parms, maxOutput: max, tolerant: tolerant)
}

private func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

/// Predictor parameters as a /DecodeParms dictionary.
private func predictorParms(_ predictor: Int, colors: Int = 1, bits: Int = 8, columns: Int) -> PDFObject {
    .dictionary(["Predictor": .integer(predictor), "Colors": .integer(colors),
                 "BitsPerComponent": .integer(bits), "Columns": .integer(columns)])
}

/// 6000 bytes of compressible, non-uniform data (whole rows of 5 or 10 bytes).
private let sample: [UInt8] =
    Array((0..<200).map { "q \($0 % 37) 0 0 1 \($0 * 3) 72 cm /Im\($0 % 5) Do Q\n" }.joined().utf8.prefix(6000))

@Suite struct FilterTests {
    // MARK: Flate

    @Test(arguments: [0, 1, 6, 9])
    func flateRoundTrips(level: Int) throws {
        let encoded = try Flate.encode(sample, level: level)
        #expect(encoded != sample)
        #expect(try Flate.decode(encoded, maxOutput: sample.count) == sample)
        #expect(try decode(encoded, .name("FlateDecode")) == sample)
        #expect(try decode(encoded, .name("Fl")) == sample)
    }

    @Test func flateEncodingIsDeterministicAndDefaultsToLevel6() throws {
        let first = try Flate.encode(sample)
        #expect(try Flate.encode(sample) == first)
        #expect(try Flate.encode(sample, level: 6) == first)
        #expect(try Flate.encode(sample, level: 0).count > sample.count)
        #expect(first.count < sample.count / 2)
    }

    @Test func flateEmptyRoundTrips() throws {
        #expect(try Flate.decode(Flate.encode([]), maxOutput: 0) == [])
    }

    @Test(arguments: [-1, 10])
    func flateRejectsBadLevels(level: Int) {
        #expect(throws: PDFError(.invalidArgument, "")) { try Flate.encode(sample, level: level) }
    }

    @Test func decompressionBombIsCapped() throws {
        let megabyte = 1 << 20
        let bomb = try Flate.encode([UInt8](repeating: 0, count: megabyte))
        #expect(bomb.count < 5000)
        #expect(try decode(bomb, .name("FlateDecode"), max: megabyte) == [UInt8](repeating: 0, count: megabyte))
        #expect(throws: PDFError(.limitExceeded, "")) { try decode(bomb, .name("FlateDecode"), max: 100_000) }
        #expect(throws: PDFError(.limitExceeded, "")) { try Flate.decode(bomb, maxOutput: megabyte - 1) }
    }

    @Test(arguments: [[0x78, 0x00, 0x01, 0x02], [0x78, 0x9C, 0x07, 0x00, 0x00, 0x00]] as [[UInt8]])
    func corruptDeflateFails(data: [UInt8]) {
        for tolerant in [false, true] {
            let error = #expect(throws: PDFError.self) { try decode(data, .name("FlateDecode"), tolerant: tolerant) }
            #expect(error?.code == .filterFailed)
            #expect(error?.reason.contains("zlib") == true)
        }
    }

    @Test func wrongChecksumFailsEvenWhenTolerant() throws {
        var encoded = try Flate.encode(sample)
        encoded[encoded.count - 1] ^= 0xFF
        let error = #expect(throws: PDFError.self) { try Flate.decode(encoded, maxOutput: 1 << 20, tolerant: true) }
        #expect(error?.code == .filterFailed)
        #expect(error?.reason.contains("check") == true)
    }

    @Test func missingChecksumNeedsTolerance() throws {
        let encoded = try Flate.encode(sample)
        let withoutChecksum = Array(encoded.dropLast(4))
        #expect(throws: PDFError(.filterFailed, "")) { try Flate.decode(withoutChecksum, maxOutput: 1 << 20) }
        #expect(try Flate.decode(withoutChecksum, maxOutput: 1 << 20, tolerant: true) == sample)
        let halfway = Array(encoded.prefix(encoded.count / 2))
        let partial = try Flate.decode(halfway, maxOutput: 1 << 20, tolerant: true)
        #expect(!partial.isEmpty && partial.count < sample.count)
        #expect(Array(sample.prefix(partial.count)) == partial)
    }

    @Test func dataAfterTheZlibStream() throws {
        let encoded = try Flate.encode(sample)
        #expect(try Flate.decode(encoded + bytes("\r\n"), maxOutput: 1 << 20) == sample)
        #expect(throws: PDFError(.filterFailed, "")) { try Flate.decode(encoded + bytes("junk"), maxOutput: 1 << 20) }
        #expect(try Flate.decode(encoded + bytes("junk"), maxOutput: 1 << 20, tolerant: true) == sample)
    }

    // MARK: ASCIIHex, ASCII85, RunLength

    @Test(arguments: [
        ("48656C6C6F>", "Hello"), ("48 65\n6c\t6C\r6f >", "Hello"), ("414>", "A@"), (">", ""), ("7e7E >\n", "~~"),
    ])
    func asciiHexDecodes(encoded: String, expected: String) throws {
        #expect(try decode(bytes(encoded), .name("ASCIIHexDecode")) == bytes(expected))
        #expect(try decode(bytes(encoded), .name("AHx")) == bytes(expected))
    }

    @Test func asciiHexRejectsMalformedData() throws {
        #expect(throws: PDFError(.filterFailed, "")) { try decode(bytes("41G2>"), .name("AHx")) }
        #expect(throws: PDFError(.filterFailed, "")) { try decode(bytes("4142"), .name("AHx")) }
        #expect(try decode(bytes("4142"), .name("AHx"), tolerant: true) == bytes("AB"))
        #expect(throws: PDFError(.filterFailed, "")) { try decode(bytes("41>42"), .name("AHx")) }
    }

    // Expected encodings from Python's base64.a85encode.
    @Test(arguments: [
        ("9jqo^BlbD-BleB1DJ+*+F(f,q~>", bytes("Man is distinguished")),
        ("@/~>", bytes("a")), ("@:B~>", bytes("ab")), ("@:E^~>", bytes("abc")),
        ("z@:E_Wz~>", [0, 0, 0, 0] + bytes("abcd") + [0, 0, 0, 0]),
        ("s8W-!~>", [0xFF, 0xFF, 0xFF, 0xFF]), ("s8W*~>", [0xFF, 0xFF, 0xFF]),
        ("9jqo^ Blb\nD-\r\nBleB1DJ+*+F(f,q ~>\n", bytes("Man is distinguished")), ("~>", []),
    ] as [(String, [UInt8])])
    func ascii85Decodes(encoded: String, expected: [UInt8]) throws {
        #expect(try decode(bytes(encoded), .name("ASCII85Decode")) == expected)
        #expect(try decode(bytes(encoded), .name("A85")) == expected)
    }

    @Test(arguments: [
        "9jqo^{~>",     // a byte outside ! to u
        "9jz~>",        // z inside a group
        "s8W-\"~>",     // a group past 2^32 - 1
        "9jqo^B~>",     // a final group of one character
        "9jqo^~x",      // ~ without >
        "9jqo^",        // no end-of-data marker
        "<~9jqo^~>",    // the <~ prefix is not filter data
        "9jqo^~>9j",    // data after the end
    ])
    func malformedASCII85Fails(encoded: String) {
        #expect(throws: PDFError(.filterFailed, "")) { try decode(bytes(encoded), .name("ASCII85Decode")) }
    }

    @Test func ascii85ToleratesPrefixAndMissingEnd() throws {
        #expect(try decode(bytes("<~9jqo^~>"), .name("A85"), tolerant: true) == bytes("Man "))
        #expect(try decode(bytes("9jqo^@:E^"), .name("A85"), tolerant: true) == bytes("Man abc"))
    }

    @Test func runLengthDecodes() throws {
        let encoded: [UInt8] = [2] + bytes("abc") + [254] + bytes("x") + [0] + bytes("y") + [129, 0x2D, 128]
        let expected = bytes("abcxxxy") + [UInt8](repeating: 0x2D, count: 128)
        #expect(try decode(encoded, .name("RunLengthDecode")) == expected)
        #expect(try decode(encoded, .name("RL")) == expected)
        #expect(try decode([128], .name("RL")) == [])
    }

    @Test func runLengthRejectsMalformedData() throws {
        #expect(throws: PDFError(.filterFailed, "")) { try decode([2] + bytes("ab"), .name("RL")) }
        #expect(throws: PDFError(.filterFailed, "")) { try decode([1] + bytes("ab"), .name("RL")) }
        #expect(throws: PDFError(.filterFailed, "")) { try decode([1] + bytes("ab") + [255], .name("RL")) }
        #expect(try decode([2] + bytes("ab"), .name("RL"), tolerant: true) == bytes("ab"))
    }

    @Test func everyFilterHonoursTheCap() throws {
        let runBomb: [UInt8] = Array(repeating: [129, 0], count: 1000).joined() + [128]
        #expect(try decode(runBomb, .name("RL"), max: 128_000).count == 128_000)
        #expect(throws: PDFError(.limitExceeded, "")) { try decode(runBomb, .name("RL"), max: 127_999) }
        #expect(throws: PDFError(.limitExceeded, "")) { try decode(bytes("z z z~>"), .name("A85"), max: 11) }
        #expect(throws: PDFError(.limitExceeded, "")) { try decode(bytes("414243>"), .name("AHx"), max: 2) }
        #expect(throws: PDFError(.invalidArgument, "")) { try decode(bytes(">"), .name("AHx"), max: -1) }
    }

    // MARK: Predictors

    /// Two pixels of three colours per row, three rows; the encodings were computed in Python.
    static let pngRaw: [UInt8] = [10, 20, 30, 200, 250, 5, 12, 18, 33, 190, 255, 0, 200, 90, 80, 70, 60, 50]

    @Test(arguments: [
        ("None", [0, 10, 20, 30, 200, 250, 5, 0, 12, 18, 33, 190, 255, 0, 0, 200, 90, 80, 70, 60, 50]),
        ("Sub", [1, 10, 20, 30, 190, 230, 231, 1, 12, 18, 33, 178, 237, 223, 1, 200, 90, 80, 126, 226, 226]),
        ("Up", [2, 10, 20, 30, 200, 250, 5, 2, 2, 254, 3, 246, 5, 251, 2, 188, 72, 47, 136, 61, 50]),
        ("Average", [3, 10, 20, 30, 195, 240, 246, 3, 7, 8, 18, 84, 121, 237, 3, 194, 81, 64, 131, 144, 10]),
        ("Paeth", [4, 10, 20, 30, 190, 230, 231, 4, 2, 254, 3, 246, 5, 251, 4, 188, 72, 47, 126, 61, 17]),
        ("Mixed", [4, 10, 20, 30, 190, 230, 231, 3, 7, 8, 18, 84, 121, 237, 1, 200, 90, 80, 126, 226, 226]),
    ] as [(String, [UInt8])])
    func pngPredictorDecodes(type: String, predicted: [UInt8]) throws {
        let parms = predictorParms(12, colors: 3, columns: 2)
        #expect(try decode(Flate.encode(predicted), .name("FlateDecode"), parms: parms) == Self.pngRaw)
    }

    @Test func paethBreaksTiesTowardUp() throws {
        // At the last byte left = 110, up = 80, upLeft = 100: up and upLeft are equally close to 90.
        let parms = predictorParms(14, columns: 2)
        #expect(try decode(Flate.encode([4, 100, 236, 4, 10, 5]), .name("Fl"), parms: parms) == [100, 80, 110, 85])
    }

    @Test func pngPredictorRejectsBadRows() throws {
        let parms = predictorParms(15, columns: 3)
        #expect(throws: PDFError(.filterFailed, "")) { try decode(Flate.encode([5, 1, 2, 3]), .name("Fl"), parms: parms) }
        let short = try Flate.encode([0, 1, 2, 3, 1, 4])
        #expect(throws: PDFError(.filterFailed, "")) { try decode(short, .name("Fl"), parms: parms) }
        #expect(try decode(short, .name("Fl"), parms: parms, tolerant: true) == [1, 2, 3, 4])
    }

    @Test func wideRowsAllocateOnlyWhatTheDataHolds() throws {
        // 1 GiB rows: buffers sized from /Columns alone would be a memory bomb.
        let parms = predictorParms(12, colors: 32, bits: 16, columns: 1 << 24)
        let data = try Flate.encode([0, 1, 2])
        #expect(throws: PDFError(.filterFailed, "")) { try decode(data, .name("Fl"), parms: parms) }
        #expect(try decode(data, .name("Fl"), parms: parms, tolerant: true) == [1, 2])
    }

    @Test func pngUpEncoderRoundTrips() throws {
        #expect(try Predictor.encodePNGUp([1, 2, 3, 4, 6, 8, 0, 0, 0], columns: 3) == [2, 1, 2, 3, 2, 3, 4, 5, 2, 252, 250, 248])
        let parms = predictorParms(12, columns: 5)
        let predicted = try Predictor.encodePNGUp(sample, columns: 5)
        #expect(try decode(Flate.encode(predicted), .name("FlateDecode"), parms: parms) == sample)
        #expect(throws: PDFError(.invalidArgument, "")) { try Predictor.encodePNGUp([1, 2, 3], columns: 2) }
        #expect(throws: PDFError(.invalidArgument, "")) { try Predictor.encodePNGUp([1, 2, 3], columns: 0) }
    }

    // Expected values computed in Python (samples packed high bit first).
    @Test(arguments: [
        (8, 3, 2, [0x0A, 0x14, 0x1E, 0x05, 0xF6, 0x0A, 0xFF, 0x00, 0x01, 0x02, 0x02, 0xFF],
         [0x0A, 0x14, 0x1E, 0x0F, 0x0A, 0x28, 0xFF, 0x00, 0x01, 0x01, 0x02, 0x00]),
        (16, 1, 3, [0x01, 0x02, 0x01, 0xFE, 0xFF, 0xFF], [0x01, 0x02, 0x03, 0x00, 0x02, 0xFF]),
        (4, 1, 5, [0x12, 0xFD, 0x10], [0x13, 0x2F, 0x00]),
        (1, 1, 8, [0xAE], [0xCB]),
        (2, 2, 2, [0xD5], [0xD2]),
    ] as [(Int, Int, Int, [UInt8], [UInt8])])
    func tiffPredictorDecodes(bits: Int, colors: Int, columns: Int, predicted: [UInt8], expected: [UInt8]) throws {
        let parms = predictorParms(2, colors: colors, bits: bits, columns: columns)
        #expect(try decode(Flate.encode(predicted), .name("FlateDecode"), parms: parms) == expected)
    }

    @Test(arguments: [
        ["Predictor": 12, "Columns": 0], ["Predictor": 12, "Columns": -3], ["Predictor": 12, "Columns": .integer(1 << 40)],
        ["Predictor": 2, "Colors": 0], ["Predictor": 2, "Colors": 1000], ["Predictor": 12, "BitsPerComponent": 3],
        ["Predictor": 7], ["Predictor": .name("Up")], ["Predictor": 12, "Columns": .real(2.5)],
        ["Predictor": 12, "Columns": .reference(PDFReference(4))],
    ] as [PDFDictionary])
    func nonsensePredictorParametersFail(parms: PDFDictionary) throws {
        let error = #expect(throws: PDFError.self) {
            try decode(Flate.encode([0, 1, 2]), .name("FlateDecode"), parms: .dictionary(parms))
        }
        #expect(error?.code == .filterFailed)
    }

    // MARK: LZW

    @Test func lzwDecodesTheSpecificationExample() throws {
        let encoded: [UInt8] = [0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01]
        #expect(try decode(encoded, .name("LZWDecode")) == [45, 45, 45, 45, 45, 65, 45, 45, 45, 66])
        #expect(try decode(encoded, .name("LZW")) == [45, 45, 45, 45, 45, 65, 45, 45, 45, 66])
    }

    /// 1200 pseudo-random bytes: enough new strings to widen the codes from 9 to 10 to 11 bits.
    static let lzwInput: [UInt8] = {
        var state = 1
        return (0..<1200).map { _ in
            state = (state &* 1_103_515_245 &+ 12345) & 0x7FFF_FFFF
            return UInt8((state >> 16) & 0xFF)
        }
    }()

    // Encoded by an independent encoder written in Python, with EarlyChange 1 and 0 (both checked with qpdf).
    static let lzwEarly = """
        gDGPyBNZLfbifZUey9b58DjhQ4BX4xbxWOQPI5nMyHLKqRA8LLqKwTPbSQqhbA8KhVF43VxlLbaAR5TDMcYaOyOL7ZTKPD4/GzuIZ4Jo\
        NfS+UzaciGRzcFJtJz/KzhOAgfaPWJYAqQYoJbhTZqqHZITJSaZSToGT7qWrCAwTTBJWQBDysGSIGKcKRGSpxGyPK72HIdCz6RB0eqYP\
        gXLhBXZtOKOB5wLLHAIbF4zHqRYAdUoNBqrGaNPxeR4+cxoOimHSxYaTCKoMjHbbKcBgcLzX4JABnUTjEqgEIxQ7VMTFVBPPwuBJrSif\
        WBtVKeLQLIxwQC2Z5HBimUoqbCsfagda3PIkOQjSRIQDFUynQq3a6MSDkVZjIhSMzjTgzEp8i8VRdDmMAuiWOI/F8VJGCuDI4mGZQvHK\
        FQZlYRAojMUI9jqM4yE0NJ3jeKwhFADoomKAR7l2SQil8N4GlsHBmAgfpdioKIOD2A5KBOSY+kkYZqGMUowiiAIcBwU5fniAgGgqTZAA\
        +QZqlINJED4T5bACbRJguIpFgkWQBBmLgoGscIrFIVohCULhukMMJ0gGCRwgeTZ1BMFgwm4MQkDWNoKHAAZCiUOQjG0SxkD6DhogKHxy\
        kkOAhi+NgBgKWZ1lmEAaiaPwzCgAIbGAGc6mSHAXHSFIMieLxYmiJJFh2KZ+k+H53BKEoaj2BoIleJgIkYGRqG0P5sAsK5wlMZw+mCVw\
        xF+CZyEOJgdGCWYGCyTIjiwLRejwPhdVAdoNnURQkkQdxrAoQpVlgFhvBq2AWgCDhrhQIYYHOWAEHaPJMgmKJpB0O5Wh6Wh8GOZQBhEa\
        RkmME4HgIZw9B+YA0BYZ45DUBJhCEAA5C8IIaHwSw0h+XodCwSJFnCZhRFiSRujuUIan8eYll4WJxhuCIGmOMpfHiMJyi8Ax/hqY47ES\
        Lp6DcJRmFqKg/HiCpkFAnouDgBZ3goYxygUTgMloDomGcKwDG4IQIhKc5LDeB4Qh6b58iuI4Gm+FY1H4O5GmqdJsnyWpwHWORCA0RwhA\
        oDpFDcL5JB0fYFnKexyGAT4imsFRBl+WJmjUYhfkYbxvlke48nuMArn4HYej2Fxlk4II9hOUpxiQLAKgOC5wFyQovjGVB7BSCQhgANRt\
        ncMgSCkRZiB2LpdhqDBRGmRJ/lkUAshgeRtmqYImjUJYbE4Lo8HMaBRkkBpykgCJYEMB+REAUxEl6dIXjxuwoEqQ4Nl+OMP4lAbg2HIG\
        8HIOAXgMEGDoQo3woi8CQNkKwuw8iVDyL0agSAoCdFSGULoFw+ATAWBILgTwziwAIOETwGBZgAB0P4ZYxAOD3BWFAHAfgnC7AmMUEAwx\
        /A9FIDAB45AjgKHIFIAIegLiBBiIAQAXwahaBaBUZgsARAVBaIAaI5hyDMCwK8N4BQ+iFE4DUNQdBQDwBQE8e4+RuA4AALMYg7gqBOHi\
        NkdQrRhDXHWBkEgxArCoEWMsKgaxXhwW4AcLI/gAAGG+KEcwGAsi6GCFsEY/AtgeDgDAIQGhqDQBkHISAZghBsE6KIaI7Q7g+BgLYVz6\
        gwguHsKIDQSRtihA6IkVA3h5A4CsLoNYqxlBTC0FMewbQJiBFcB8Uo/AlA9GuEUAIiRyCkAAJgew+wmiGDIEYL4WRWD1DyDYF46hlBGF\
        eFAIwZhEghCEJEWIdhpANDkI0cYWD+AXGiCgLAYwThuCIGsQQpBdCYDmPoXY/xOE4HkB8FImQxDID4FsfY+QNBGH6FkewxRtg8HSHESw\
        0A4gcGwA0FgmRoBaAkFEaAAA6iHOSLoMwwBJDVGgPcWghhyg/FeFUKo9RcBODMAEFgfRiCyBwCgBgVgljPAuJwHo5ADirB4EoCQ/g9vt\
        AMJkdQxw+jRHmPIRg5wSgUE4M4Cg/h+AZDaCEG4KBZCUBmA8WY5AFBFGWJ8VAERwCfBSLQDAFx3hXC4F8QwsxGh/ByIIRIfQ4ipG4Gca\
        AIgjAfAiKseI6RPAwDeLYdw+Q6guFKJQLJAQ
        """
    static let lzwLate = """
        gDGPyBNZLfbifZUey9b58DjhQ4BX4xbxWOQPI5nMyHLKqRA8LLqKwTPbSQqhbA8KhVF43VxlLbaAR5TDMcYaOyOL7ZTKPD4/GzuIZ4Jo\
        NfS+UzaciGRzcFJtJz/KzhOAgfaPWJYAqQYoJbhTZqqHZITJSaZSToGT7qWrCAwTTBJWQBDysGSIGKcKRGSpxGyPK72HIdCz6RB0eqYP\
        gXLhBXZtOKOB5wLLHAIbF4zHqRYAdUoNBqrGaNPxeR4+cxoOimHSxYaTCKoMjHbbKcBgcLzX4JABnUTjEqgEIxQ7VMTFVBPPwuBJrSif\
        WBtVKeLQLIxwQC2Z5HBimUoqbCsfagda3PIkOQjSRIQDFUynQq3a6MSDkVZjIhSMzjTgzEr5F4qi6HMYBdEscR+L4qSMFcGRxMMyheOU\
        KgzKwiBRGYoR7HUZxkJoaTvG8VhCKAHRRMUAj3LskhFL4bwNLYODMBA/S7FQUQcHsByUCckx9JIwzUMYpRhFEAQ4Dgpy/PEBANBUmyAB\
        8gzVKQaSIHwny2AE2iTBcRSLBIsgCDMXBQNY4RWKQrRCEoXDdIYYTpAMEjhA8mzqCYLBhNwYhIGsbQUOAAyFEochGNoljIH0HDRAUPjl\
        JIcBDF8bADAUszrLMIA1E0fhmFAAQ2MAM51MkOAuOkKQZE8XixNESSLDsUz9J8PzuCUJQ1HsDQRK8TARIwMjUNofzYBYVzhKYzh9MErh\
        iL8EzkIcTA6MEswMFkmRHFgWi9HgfC6qA7QbOoihJIg7jWBQhSrLALDeDVsAtAEHDXCgQwwOcsAIO0eSZBMUTSDodytD0tD4McygDCI0\
        jJMYJwPAQzh6D8wBoCwzxyGoCTCEIAByF4QQ0PglhpD8vQ6FgkSLOEzCiLEkjdHcoQ1P48xLLwsTjDcEQNMcZS+PEYTlF4Bj/DUxx2Ik\
        XT0G4SjMLUVB+PEFTIKBPRcHACzvBQxjlAonAZLQHRMM4VgGNwQgRCU5yWG8DwhD03z5FcRwNN8KxqPwdyNNU6TZPktTgOsciEBojhCB\
        QHSKG4XySDo+wLOU9jkMAnxFNYKiDL8sTNGoxC/Iw3jfLI9x5PcYBXPwOw9HsLjLJwQR7CcpTjEgWAVAcFzgLkhRfGMqD2CkEhDAAajb\
        O4ZAkFIizEDsXS7DUGCiNMiT/LIoBZDA8jbNUwRNGoSw2JwXR4OY0CjJIDTlJAESwIYD8iIApiJL06QvHjdhQJUhwbL84w/iUBuDYcgb\
        wcg4BeAwQYOhCjfCiLwJA2QrC7DyJUPIvRqBICgJ0VIZQugXD4BMBYEguBPDOLAAg4RPAYFmAAHQ/hljEA4PcFYUAcB+CcLsCYxQQDDH\
        8D0UgMAHjkCOAocgUgAh6AuIEGIgBABfBqFoFoFRmCwBEBUFogBojmHIMwLArw3gFD6IUTgNQ1B0FAPAFATx7j5G4DgAAsxiDuCoE4eI\
        2R1CtGENcdYGQSDECsKgRYywqBrFeHBbgBwsj+AAAYb4oRzAYCyLoYIWwRj8C2B4OAMAhAaGoNAGQchIBmCEGwToohojtDuD4GAthXPq\
        DCC4ewogNBJG2KEDoiRUDeHkDgKwug1irGUFMLQUx7BtAmIEVwHxSj8CUD0a4RQAiJHIKQAAmB7D7CaIYMgRgvhZFYPUPINgXjqGUEYV\
        4UAjBmESCEIQkRYh2GkA0OQjRxhYP4BcaIKAsBjBOG4IgaxBCkF0JgOY+hdj/E4TgeQHwUiZDEMgPgWx9j5A0EYfoWR7DFG2DwdIcRLD\
        QDiBwbADQWCZGgFoCQURoAADqIc5IugzDAEkNUaA9xaCGHKD8V4VQqj1FwE4MwAQWB9GILIHAKAGBWCWM8C4nAejkAOKsHgSgJD+D2+0\
        AwmR1DHD6NEeY8hGDnBKBQTgzgKD+H4BkNoIQbgoFkJQGYDxZjkAUEUZYnxUARHAJ8FItAMAXHeFcLgXxDCzEaH8HIghEh9DiKkbgZxo\
        AiCMB8CIqx4jpE8DAN4th3D5DqC4UolAskBA
        """

    @Test(arguments: [(lzwEarly, 1 as Int?), (lzwEarly, nil), (lzwLate, 0)])
    func lzwWidensCodes(base64: String, earlyChange: Int?) throws {
        let encoded = try #require(Data(base64Encoded: base64)).map { $0 }
        let parms: PDFObject = earlyChange.map { .dictionary(["EarlyChange": .integer($0)]) } ?? .null
        #expect(try decode(encoded, .name("LZWDecode"), parms: parms) == Self.lzwInput)
    }

    @Test func lzwEarlyChangeMatters() throws {
        let encoded = try #require(Data(base64Encoded: Self.lzwEarly)).map { $0 }
        let parms: PDFObject = .dictionary(["EarlyChange": 0])
        #expect((try? decode(encoded, .name("LZWDecode"), parms: parms)) != Self.lzwInput)
        #expect(throws: PDFError(.filterFailed, "")) {
            try decode(encoded, .name("LZWDecode"), parms: .dictionary(["EarlyChange": 2]))
        }
    }

    @Test func lzwClearCodesAndBadCodes() throws {
        // Codes 256 65 256 66 66 257 and 256 65 300 257, nine bits each.
        #expect(try decode([0x80, 0x10, 0x60, 0x04, 0x22, 0x14, 0x04], .name("LZW")) == bytes("ABB"))
        #expect(throws: PDFError(.filterFailed, "")) { try decode([0x80, 0x10, 0x65, 0x90, 0x10], .name("LZW")) }
        #expect(throws: PDFError(.filterFailed, "")) { try decode([0x80, 0x10, 0x60], .name("LZW")) }
        #expect(try decode([0x80, 0x10, 0x60], .name("LZW"), tolerant: true) == bytes("A"))
    }

    // MARK: The pipeline

    @Test func chainsASCIIHexThenFlate() throws {
        let hex = try Flate.encode(sample).map { String(format: "%02x", $0) }.joined(separator: " ") + ">"
        let chain: PDFObject = [.name("AHx"), .name("FlateDecode")]
        #expect(try decode(bytes(hex), chain) == sample)
        #expect(try decode(bytes(hex), chain, parms: [.null, .null]) == sample)
        let predicted = try Flate.encode(Predictor.encodePNGUp(sample, columns: 10)).map { String(format: "%02X", $0) }
        let parms: PDFObject = [.null, predictorParms(12, columns: 10)]
        #expect(try decode(bytes(predicted.joined() + ">"), chain, parms: parms) == sample)
        #expect(throws: PDFError(.limitExceeded, "")) { try decode(bytes(hex), chain, max: sample.count - 1) }
    }

    @Test func noFilterLeavesDataAlone() throws {
        #expect(try decode(sample, nil) == sample)
        #expect(try decode(sample, .null) == sample)
        #expect(try decode(sample, []) == sample)
    }

    @Test(arguments: ["DCTDecode", "JPXDecode", "CCITTFaxDecode", "JBIG2Decode", "DCT", "CCF", "Crypt", "FooDecode"])
    func unsupportedFiltersAreNamed(name: String) {
        let error = #expect(throws: PDFError.self) { try decode(sample, .name(PDFName(name))) }
        #expect(error?.code == .unsupportedFilter)
        #expect(error?.reason.contains(name == "DCT" ? "DCTDecode" : name == "CCF" ? "CCITTFaxDecode" : name) == true)
        if !["Crypt", "FooDecode"].contains(name) { #expect(error?.reason.contains("image codec") == true) }
    }

    @Test func filterNamesAndAbbreviations() {
        for filter in StreamFilter.allCases { #expect(StreamFilter(name: filter.name) == filter) }
        let abbreviations: [PDFName: StreamFilter] = [
            "Fl": .flate, "AHx": .asciiHex, "A85": .ascii85, "RL": .runLength, "LZW": .lzw, "DCT": .dct, "CCF": .ccittFax,
        ]
        for (name, filter) in abbreviations { #expect(StreamFilter(name: name) == filter) }
        #expect(StreamFilter(name: "flatedecode") == nil)
        #expect(StreamFilter.dct.isImageCodec && !StreamFilter.flate.isImageCodec)
    }

    @Test(arguments: [
        (.integer(3), nil), (.reference(PDFReference(7)), nil), ([.name("AHx"), .integer(1)], nil),
        ([.reference(PDFReference(7))], nil), ([.name("AHx"), .name("Fl")], [.null]),
        ([.name("AHx")], [.reference(PDFReference(8))]), ([.name("AHx")], .dictionary([:])),
        (.name("Fl"), [.null]), (.name("Fl"), .reference(PDFReference(9))), ([.name("Fl")], [.integer(2)]),
    ] as [(PDFObject, PDFObject?)])
    func malformedFilterEntriesFail(filter: PDFObject, parms: PDFObject?) {
        let error = #expect(throws: PDFError.self) { try StreamDecoder.stages(filter: filter, decodeParms: parms) }
        #expect(error?.code == .filterFailed)
        if case .reference = filter { #expect(error?.reason.contains("resolved first") == true) }
    }

    @Test func stagesPairFiltersWithParameters() throws {
        let parms: PDFDictionary = ["Predictor": 12, "Columns": 4]
        let stages = try StreamDecoder.stages(filter: [.name("A85"), .name("FlateDecode")],
                                              decodeParms: [.null, .dictionary(parms)])
        #expect(stages == [FilterStage(.ascii85), FilterStage(.flate, parameters: parms)])
    }
}
