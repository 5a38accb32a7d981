import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// The CMS parser reads BER as well as DER, bounded: nesting, truncation and corruption give
/// `.malformed`, never a crash or a runaway.
@Suite struct BERParsingTests {
    static func signed() throws -> (cms: [UInt8], digest: [UInt8]) {
        let digest = DigestAlgorithm.sha256.hash(CryptoFixtures.randomContent())
        return (try CMSSigner(identity: try CryptoFixtures.identity(.ecP256)).sign(digest: digest), digest)
    }

    /// `value` with its constructed values down to `levels` deep re-encoded with indefinite
    /// lengths, and its OCTET STRINGs (below that) split into constructed segments.
    static func ber(_ value: [UInt8], levels: Int) -> [UInt8] {
        let (header, length) = Self.header(value[...])
        let content = Array(value[header..<(header + length)])
        if value[0] == 0x04, content.count > 8 {
            let half = content.count / 2
            return [0x24, 0x80, 0x04, UInt8(half)] + content.prefix(half) + [0x04, UInt8(content.count - half)] + content.dropFirst(half) + [0, 0]
        }
        guard value[0] & 0x20 != 0 else { return value }
        var parts: [[UInt8]] = []
        var rest = content[...]
        while !rest.isEmpty {
            let (childHeader, childLength) = Self.header(rest)
            parts.append(Array(rest.prefix(childHeader + childLength)))
            rest = rest.dropFirst(childHeader + childLength)
        }
        guard levels > 0 else { return value }
        return [value[0], 0x80] + parts.flatMap { ber($0, levels: levels - 1) } + [0, 0]
    }

    static func header(_ bytes: ArraySlice<UInt8>) -> (Int, Int) {
        let start = bytes.startIndex
        let first = Int(bytes[start + 1])
        if first < 0x80 { return (2, first) }
        let count = first & 0x7F
        return (2 + count, bytes[(start + 2)..<(start + 2 + count)].reduce(0) { $0 << 8 | Int($1) })
    }

    @Test func berIsReadAndVerifiesLikeItsDER() throws {
        let (der, digest) = try Self.signed()
        let ber = Self.ber(der, levels: 4)
        #expect(ber.prefix(2) == [0x30, 0x80])
        let parsed = try CMSSignedData.parse(der: ber)
        let plain = try CMSSignedData.parse(der: der)
        #expect(parsed.isBER && !plain.isBER)
        #expect(parsed.signers.map(\.certificate) == plain.signers.map(\.certificate))
        #expect(parsed.signatureValue == plain.signatureValue)
        try parsed.verifySignature(contentDigest: digest)
        expectCryptoError(.digestMismatch) { try parsed.verifySignature(contentDigest: DigestAlgorithm.sha256.hash([1])) }
        #expect(BEREncoding.length(ofValueAtStartOf: ber + [UInt8](repeating: 0, count: 300)) == ber.count)
        #expect(BEREncoding.length(ofValueAtStartOf: der + [UInt8](repeating: 0, count: 300)) == der.count)
    }

    /// Definite-length BER that is not DER is still told apart from DER (`isBER`): a length in
    /// more octets than needed, on the outermost value and on one inside it.
    @Test func definiteLengthBERIsToldApartFromDER() throws {
        let (der, _) = try Self.signed()
        let (header, length) = Self.header(der[...])
        let content = Array(der[header..<(header + length)])
        func wrap(_ tag: UInt8, _ body: [UInt8], extraLengthOctet: Bool = false) -> [UInt8] {
            var octets: [UInt8] = []
            var rest = body.count
            while rest > 0 { octets.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
            if extraLengthOctet || body.count >= 0x80 {
                if extraLengthOctet { octets.insert(0, at: 0) }
                return [tag, 0x80 | UInt8(octets.count)] + octets + body
            }
            return [tag, UInt8(body.count)] + body
        }
        #expect(wrap(0x30, content) == der, "the helper writes DER")
        let outer = wrap(0x30, content, extraLengthOctet: true)
        // The contentType OID, its length written in the long form.
        let (oidHeader, oidLength) = Self.header(content[...])
        let inner = wrap(0x30, wrap(0x06, Array(content[oidHeader..<(oidHeader + oidLength)]), extraLengthOctet: true)
                               + content.dropFirst(oidHeader + oidLength))
        for variant in [outer, inner] {
            let parsed = try CMSSignedData.parse(der: variant)
            #expect(parsed.isBER)
            #expect(parsed.signatureValue == (try CMSSignedData.parse(der: der)).signatureValue)
        }
        #expect(!(try CMSSignedData.parse(der: der)).isBER)
    }

    @Test func nestingIsBounded() {
        for depth in [60, 10_000] {
            let nested = Array([[UInt8]](repeating: [0x30, 0x80], count: depth).joined())
                + [UInt8](repeating: 0, count: depth * 2)
            #expect(BEREncoding.length(ofValueAtStartOf: nested) == nil)
            expectCryptoError(.malformed) { _ = try CMSSignedData.parse(der: nested) }
        }
    }

    @Test func truncatedAndCorruptedCMSFailCleanly() throws {
        let (der, digest) = try Self.signed()
        let ber = Self.ber(der, levels: 4)
        for encoding in [der, ber] {
            for cut in stride(from: 0, to: encoding.count, by: 7) {
                #expect(BEREncoding.length(ofValueAtStartOf: Array(encoding.prefix(cut))) == nil)
                expectCryptoError(.malformed) { _ = try CMSSignedData.parse(der: Array(encoding.prefix(cut))) }
            }
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<400 {
                var mutated = encoding
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
                // Anything may happen but a crash, and a corrupted CMS never verifies as the original.
                if let parsed = try? CMSSignedData.parse(der: mutated), mutated != encoding,
                   (try? parsed.verifySignature(contentDigest: digest)) != nil {
                    // Only bytes outside what the signature covers may change without failing it
                    // (e.g. an unsigned certificate's bytes): the signer and value must still be the original's.
                    let original = try CMSSignedData.parse(der: encoding)
                    #expect(parsed.signatureValue == original.signatureValue)
                }
            }
        }
    }
}
