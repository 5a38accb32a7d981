/// The cryptographic functions the standard security handler (ISO 32000-2 §7.6.4) needs, given by
/// the caller: PDFSyntax is pure Swift over zlib and does no cryptography of its own. Countersign's
/// `CountersignCrypto` module supplies them from OpenSSL (`PDFCiphers` there); a test may supply others.
///
/// Every function is given whole buffers and returns a new one. A function throws when the
/// library cannot do it (RC4 without OpenSSL's legacy provider, say); its error is passed on.
public struct PDFSecurityPrimitives: Sendable {
    /// MD5 of the bytes.
    public var md5: @Sendable ([UInt8]) throws -> [UInt8]
    /// SHA-256, SHA-384 or SHA-512 of the bytes, by output size in bits (256, 384, 512).
    public var sha2: @Sendable (_ bits: Int, _ bytes: [UInt8]) throws -> [UInt8]
    /// RC4 with a key of 5 to 16 bytes (encryption and decryption are the same operation).
    public var rc4: @Sendable (_ key: [UInt8], _ bytes: [UInt8]) throws -> [UInt8]
    /// AES-CBC with a 16- or 32-byte key and a 16-byte IV, encrypting or decrypting, with PKCS#7
    /// padding or none (then the input is a whole number of blocks).
    public var aesCBC: @Sendable (_ encrypt: Bool, _ key: [UInt8], _ iv: [UInt8], _ bytes: [UInt8], _ padding: Bool) throws -> [UInt8]
    /// Cryptographically strong random bytes (initialisation vectors for new AES strings and streams).
    public var random: @Sendable (_ count: Int) throws -> [UInt8]

    public init(md5: @escaping @Sendable ([UInt8]) throws -> [UInt8],
                sha2: @escaping @Sendable (Int, [UInt8]) throws -> [UInt8],
                rc4: @escaping @Sendable ([UInt8], [UInt8]) throws -> [UInt8],
                aesCBC: @escaping @Sendable (Bool, [UInt8], [UInt8], [UInt8], Bool) throws -> [UInt8],
                random: @escaping @Sendable (Int) throws -> [UInt8]) {
        self.md5 = md5
        self.sha2 = sha2
        self.rc4 = rc4
        self.aesCBC = aesCBC
        self.random = random
    }
}

/// How to open an encrypted document: the password (the user password, or the owner password —
/// both are tried) and the cryptographic functions.
public struct PDFDecryption: Sendable {
    /// The password; the empty string is the usual user password of a document that opens
    /// without asking.
    public var password: String
    public var primitives: PDFSecurityPrimitives

    public init(password: String = "", primitives: PDFSecurityPrimitives) {
        self.password = password
        self.primitives = primitives
    }
}

/// The user access permissions of an encrypted document (ISO 32000-2 §7.6.4.2, Table 22: the
/// `/P` bits), and whether the owner password opened it (then every permission is granted).
public struct PDFPermissions: Sendable, Hashable, CustomStringConvertible {
    /// The `/P` value as a 32-bit pattern.
    public let bits: UInt32
    /// The standard handler's revision (bits 9–12 mean something from revision 3 on).
    public let revision: Int
    /// Whether the owner password opened the document.
    public let ownerAuthenticated: Bool

    public init(bits: UInt32, revision: Int, ownerAuthenticated: Bool) {
        self.bits = bits
        self.revision = revision
        self.ownerAuthenticated = ownerAuthenticated
    }

    private func bit(_ number: Int) -> Bool { ownerAuthenticated || bits & (1 << UInt32(number - 1)) != 0 }

    /// Bit 4: modify the contents other than by bits 6, 9 and 11.
    public var modify: Bool { bit(4) }
    /// Bit 6: add or modify annotations, fill in form fields; with bit 4, create form fields
    /// (signature fields included).
    public var annotate: Bool { bit(6) }
    /// Bit 9 (revision 3 and later): fill in existing form fields, signature fields included, even
    /// when bit 6 is clear. Before revision 3, bit 6 decides.
    public var fillForms: Bool { revision >= 3 ? (bit(9) || bit(6)) : bit(6) }
    /// Bit 11 (revision 3 and later): assemble the document — insert, rotate, delete pages.
    /// Before revision 3, bit 4 decides.
    public var assemble: Bool { revision >= 3 ? (bit(11) || bit(4)) : bit(4) }

    public var description: String {
        if ownerAuthenticated { return "all (opened with the owner password)" }
        var granted: [String] = []
        if modify { granted.append("modify") }
        if annotate { granted.append("annotate") }
        if fillForms { granted.append("fill forms") }
        if assemble { granted.append("assemble") }
        return "/P \(Int32(bitPattern: bits)) (\(granted.isEmpty ? "none of modify, annotate, fill forms, assemble" : granted.joined(separator: ", ")))"
    }
}
