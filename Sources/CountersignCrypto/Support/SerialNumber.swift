/// Certificate serial numbers as ASN.1 INTEGER content octets: two's complement, so that a
/// serial whose first bit is set is negative. RFC 5280 §4.1.2.2 wants positive serials, but
/// real certificates break the rule (self-signed digital IDs made with a random 10-byte serial
/// are negative about half the time), and readers must still match them exactly: OpenSSL keeps
/// such a serial as its magnitude with a negative type, and a comparison of bytes would then
/// never find the certificate a SignerInfo names.
enum SerialNumber {
    /// `content` without redundant leading octets (a 0x00 before an octet below 0x80, a 0xFF
    /// before one at or above it), so that BER's non-minimal forms compare equal to DER's.
    static func minimal(_ content: some Collection<UInt8>) -> [UInt8] {
        var bytes = Array(content)
        while bytes.count > 1, (bytes[0] == 0x00 && bytes[1] < 0x80) || (bytes[0] == 0xFF && bytes[1] >= 0x80) {
            bytes.removeFirst()
        }
        return bytes.isEmpty ? [0] : bytes
    }

    /// Hex for people: the magnitude's octets in hex, with a leading "-" for a negative serial.
    static func text(_ content: some Collection<UInt8>) -> String {
        let bytes = minimal(content)
        guard let first = bytes.first, first >= 0x80 else {
            let magnitude = Array(bytes.drop { $0 == 0 })
            return OpenSSL.hex(magnitude.isEmpty ? [0] : magnitude)
        }
        // The magnitude of a negative two's-complement number: invert every bit, add one.
        var magnitude = bytes.map { ~$0 }
        var index = magnitude.count - 1
        while index >= 0 {
            let (sum, overflow) = magnitude[index].addingReportingOverflow(1)
            magnitude[index] = sum
            if !overflow { break }
            index -= 1
        }
        let trimmed = Array(magnitude.drop { $0 == 0 })
        return "-" + OpenSSL.hex(trimmed.isEmpty ? [0] : trimmed)
    }

    /// The content octets of a DER INTEGER (tag, length and content).
    static func content(ofDER integer: [UInt8]) throws -> [UInt8] {
        Array(try DER.parse(integer[...]).expecting(DER.integer, "a serial number").primitiveContent())
    }
}
