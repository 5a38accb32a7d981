/// The standard security handler (ISO 32000-2 §7.6.4): reads an `/Encrypt` dictionary of
/// `/Filter /Standard`, checks a password against it and computes the file encryption key.
///
/// Revisions 2–4 (RC4 40–128 bits, AES-128 through crypt filters) use MD5 and RC4 (Algorithms
/// 2, 4–7); revisions 5 (read-only: deprecated, never written by ISO 32000-2 tools) and 6 use
/// SHA-2 and AES-256 (Algorithms 2.A, 2.B).
struct StandardSecurityHandler: Sendable {
    /// The encryption methods a crypt filter can name (`/CFM`).
    enum Method: Sendable, Hashable, CustomStringConvertible {
        case identity, rc4, aes128, aes256

        var description: String {
            switch self {
            case .identity: "none (/Identity)"
            case .rc4: "RC4"
            case .aes128: "AES-128"
            case .aes256: "AES-256"
            }
        }
    }

    let version: Int
    let revision: Int
    /// The file key's length in bytes (5–16 for RC4 and AES-128, 32 for AES-256).
    let keyLength: Int
    let owner: [UInt8]
    let user: [UInt8]
    let ownerKey: [UInt8]
    let userKey: [UInt8]
    let permissions: UInt32
    /// Revisions 5 and 6: the 16-byte `/Perms` string, the permissions encrypted with the file
    /// key (Algorithm 10), which Algorithm 13 checks `/P` against; nil when absent.
    let encryptedPermissions: [UInt8]?
    let encryptMetadata: Bool
    /// The method for strings, for streams and for embedded files, and the methods of the named
    /// crypt filters (`/CF`), for streams that name one with a `/Crypt` filter.
    let stringMethod: Method
    let streamMethod: Method
    let embeddedFileMethod: Method
    let namedMethods: [PDFName: Method]

    static let padding: [UInt8] = [
        0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
        0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
    ]

    /// Reads the dictionary. Throws `.encrypted` with what is not supported, precisely.
    init(_ dictionary: PDFDictionary) throws {
        func refuse(_ what: String) -> PDFError {
            PDFError(.encrypted, "the document's /Encrypt dictionary \(what)")
        }
        guard let version = dictionary["V"]?.intValue, let revision = dictionary["R"]?.intValue else {
            throw refuse("lacks the /V or /R integer the standard security handler needs")
        }
        guard let owner = dictionary["O"]?.stringValue?.bytes, let user = dictionary["U"]?.stringValue?.bytes,
              let p = dictionary["P"]?.intValue else {
            throw refuse("lacks the /O, /U or /P entry the standard security handler needs")
        }
        self.version = version
        self.revision = revision
        self.owner = owner
        self.user = user
        permissions = UInt32(truncatingIfNeeded: p)
        encryptMetadata = dictionary["EncryptMetadata"]?.boolValue ?? true
        switch (version, revision) {
        case (1, 2), (2, 2), (2, 3), (3, 3), (4, 4), (5, 5), (5, 6): break
        default:
            throw refuse("names algorithm /V \(version) with revision /R \(revision), a pairing ISO 32000-2 §7.6 does not define (supported: V1/V2 with R2, V2 with R3, V4 with R4, V5 with R5 or R6)")
        }
        let hashLength = revision >= 5 ? 48 : 32
        guard owner.count >= hashLength, user.count >= hashLength else {
            throw refuse("has /O or /U shorter than the \(hashLength) bytes revision \(revision) needs")
        }
        if revision >= 5 {
            guard let oe = dictionary["OE"]?.stringValue?.bytes, let ue = dictionary["UE"]?.stringValue?.bytes,
                  oe.count >= 32, ue.count >= 32 else {
                throw refuse("lacks the 32-byte /OE and /UE strings revision \(revision) needs")
            }
            ownerKey = Array(oe.prefix(32))
            userKey = Array(ue.prefix(32))
            keyLength = 32
            encryptedPermissions = dictionary["Perms"]?.stringValue?.bytes
        } else {
            ownerKey = []
            userKey = []
            encryptedPermissions = nil
            let bits = version == 1 ? 40 : (dictionary["Length"]?.intValue ?? (version == 4 ? 128 : 40))
            guard bits % 8 == 0, (40...128).contains(bits) else {
                throw refuse("gives a key /Length of \(bits) bits; it must be a multiple of 8 from 40 to 128")
            }
            keyLength = bits / 8
        }
        if version >= 4 {
            var named: [PDFName: Method] = [:]
            if case .dictionary(let filters)? = dictionary["CF"] {
                for (name, value) in filters {
                    guard case .dictionary(let filter) = value else { throw refuse("has a crypt filter /\(name.string) that is not a dictionary") }
                    named[name] = try Self.method(of: filter, name: name, version: version)
                }
            }
            func select(_ key: PDFName, default fallback: Method? = nil) throws -> Method {
                guard let name = dictionary[key]?.nameValue else { return fallback ?? .identity }
                if name == "Identity" { return .identity }
                guard let method = named[name] else {
                    throw refuse("names the crypt filter /\(name.string) in /\(key.string) but /CF does not define it")
                }
                return method
            }
            stringMethod = try select("StrF")
            streamMethod = try select("StmF")
            embeddedFileMethod = try select("EFF", default: streamMethod)
            namedMethods = named
        } else {
            stringMethod = .rc4
            streamMethod = .rc4
            embeddedFileMethod = .rc4
            namedMethods = [:]
        }
    }

    private static func method(of filter: PDFDictionary, name: PDFName, version: Int) throws -> Method {
        switch filter["CFM"]?.nameValue?.string ?? "None" {
        case "None": return .identity
        case "V2": return .rc4
        case "AESV2": return .aes128
        case "AESV3" where version == 5: return .aes256
        case let other:
            throw PDFError(.encrypted, "the crypt filter /\(name.string) uses /CFM /\(other), which the standard security handler with /V \(version) does not define (supported: /None, /V2, /AESV2, and /AESV3 with /V 5)")
        }
    }

    // MARK: Authentication

    /// The file key for a password tried first as the user password, then as the owner password;
    /// `nil` if it is neither.
    func authenticate(_ password: String, firstID: [UInt8], using primitives: PDFSecurityPrimitives) throws
        -> (key: [UInt8], owner: Bool)? {
        if revision >= 5 {
            // UTF-8, at most 127 bytes (SASLprep is the identity on the passwords people type in ASCII).
            let bytes = Array(password.utf8.prefix(127))
            if let key = try modernKey(bytes, owner: false, primitives) { return (key, false) }
            if let key = try modernKey(bytes, owner: true, primitives) { return (key, true) }
            return nil
        }
        // PDFDocEncoding (Latin-1 for the printable range), else the UTF-8 bytes as the best guess.
        let bytes = PDFTextEncoding.pdfDocEncode(password) ?? Array(password.utf8)
        if let key = try legacyUserKey(bytes, firstID: firstID, primitives) { return (key, false) }
        let recovered = try recoverUserPassword(fromOwner: bytes, primitives)
        if let key = try legacyUserKey(recovered, firstID: firstID, primitives) { return (key, true) }
        return nil
    }

    private func padded(_ password: [UInt8]) -> [UInt8] {
        Array((password.prefix(32) + Self.padding).prefix(32))
    }

    /// Algorithm 2: the file key a user password gives (revisions 2–4).
    private func legacyFileKey(_ password: [UInt8], firstID: [UInt8], _ primitives: PDFSecurityPrimitives) throws -> [UInt8] {
        var input = padded(password) + owner.prefix(32)
        for shift in stride(from: 0, to: 32, by: 8) { input.append(UInt8(truncatingIfNeeded: permissions >> UInt32(shift))) }
        input += firstID
        if revision >= 4, !encryptMetadata { input += [0xFF, 0xFF, 0xFF, 0xFF] }
        var hash = try primitives.md5(input)
        if revision >= 3 {
            for _ in 0..<50 { hash = try primitives.md5(Array(hash.prefix(keyLength))) }
        }
        return Array(hash.prefix(keyLength))
    }

    /// Algorithms 4 to 6: the file key, if the password is the user password.
    private func legacyUserKey(_ password: [UInt8], firstID: [UInt8], _ primitives: PDFSecurityPrimitives) throws -> [UInt8]? {
        let key = try legacyFileKey(password, firstID: firstID, primitives)
        if revision == 2 {
            return try primitives.rc4(key, Self.padding) == Array(user.prefix(32)) ? key : nil
        }
        var value = try primitives.rc4(key, try primitives.md5(Self.padding + firstID))
        for round in 1...19 { value = try primitives.rc4(key.map { $0 ^ UInt8(round) }, value) }
        return value.prefix(16) == user.prefix(16) ? key : nil
    }

    /// Algorithm 7, steps a–b: the user password the owner password's key decrypts from `/O`.
    private func recoverUserPassword(fromOwner password: [UInt8], _ primitives: PDFSecurityPrimitives) throws -> [UInt8] {
        var hash = try primitives.md5(padded(password))
        if revision >= 3 {
            for _ in 0..<50 { hash = try primitives.md5(hash) }
        }
        let key = Array(hash.prefix(revision == 2 ? 5 : keyLength))
        if revision == 2 { return try primitives.rc4(key, Array(owner.prefix(32))) }
        var value = Array(owner.prefix(32))
        for round in stride(from: 19, through: 0, by: -1) { value = try primitives.rc4(key.map { $0 ^ UInt8(round) }, value) }
        return value
    }

    /// Algorithm 2.A: the file key for a user or owner password (revisions 5 and 6).
    private func modernKey(_ password: [UInt8], owner asOwner: Bool, _ primitives: PDFSecurityPrimitives) throws -> [UInt8]? {
        let entry = asOwner ? owner : user
        let extra = asOwner ? Array(user.prefix(48)) : []
        let validationSalt = Array(entry[32..<40]), keySalt = Array(entry[40..<48])
        guard try hash(password, salt: validationSalt, extra: extra, primitives) == Array(entry.prefix(32)) else { return nil }
        let intermediate = try hash(password, salt: keySalt, extra: extra, primitives)
        let key = try primitives.aesCBC(false, intermediate, [UInt8](repeating: 0, count: 16), asOwner ? ownerKey : userKey, false)
        guard key.count == 32 else { throw PDFError(.encrypted, "the /OE or /UE string did not decrypt to a 32-byte file key") }
        return key
    }

    /// Revision 5: SHA-256; revision 6: Algorithm 2.B's iterated SHA-2/AES hash.
    private func hash(_ password: [UInt8], salt: [UInt8], extra: [UInt8], _ primitives: PDFSecurityPrimitives) throws -> [UInt8] {
        var k = try primitives.sha2(256, password + salt + extra)
        guard revision == 6 else { return k }
        var round = 0
        var last: UInt8 = 0
        repeat {
            let block = password + k + extra
            var repeated: [UInt8] = []
            repeated.reserveCapacity(block.count * 64)
            for _ in 0..<64 { repeated += block }
            let e = try primitives.aesCBC(true, Array(k[0..<16]), Array(k[16..<32]), repeated, false)
            let selector = e.prefix(16).reduce(0) { ($0 + Int($1)) % 3 }
            k = try primitives.sha2([256, 384, 512][selector], e)
            last = e.last ?? 0
            round += 1
        } while round < 64 || Int(last) > round - 32
        return Array(k.prefix(32))
    }

    // MARK: Permissions (Algorithm 13)

    /// The permissions to grant, with `/P` checked against `/Perms` (revisions 5 and 6). `/P` is
    /// not bound to the file key in these revisions, so a tool could widen it without knowing
    /// the key; `/Perms` is encrypted with the key. When they disagree only the permissions both
    /// grant are granted, and a note says so (ISO 32000-2 §7.6.4.4.12 has a reader treat such a
    /// file as tampered with; granting the narrower set never gives more than the author did).
    func checkedPermissions(fileKey: [UInt8], using primitives: PDFSecurityPrimitives) throws -> (bits: UInt32, note: PDFNote?) {
        guard revision >= 5 else { return (permissions, nil) }
        func note(_ message: String) -> PDFNote { PDFNote(.encryptionPermissionsUnconfirmed, message) }
        guard let encrypted = encryptedPermissions, encrypted.count >= 16 else {
            return (permissions, note("the /Encrypt dictionary of revision \(revision) has no 16-byte /Perms string to confirm /P with; /P alone gives the permissions"))
        }
        let block = try primitives.aesCBC(false, fileKey, [UInt8](repeating: 0, count: 16), Array(encrypted.prefix(16)), false)
        guard block.count == 16, block[9] == 0x61, block[10] == 0x64, block[11] == 0x62 else {
            return (permissions, note("the /Perms string does not decrypt to a permissions block (no \"adb\" marker), so /P cannot be confirmed; /P alone gives the permissions"))
        }
        let sealed = (0..<4).reduce(UInt32(0)) { $0 | UInt32(block[$1]) << UInt32(8 * $1) }
        var messages: [String] = []
        if sealed != permissions {
            messages.append("/P \(Int32(bitPattern: permissions)) differs from the /P \(Int32(bitPattern: sealed)) sealed in /Perms with the file key; only the permissions both grant are granted")
        }
        let sealedMetadata = block[8] == 0x54  // "T"
        if block[8] == 0x54 || block[8] == 0x46, sealedMetadata != encryptMetadata {
            messages.append("/EncryptMetadata \(encryptMetadata) differs from the \(sealedMetadata) sealed in /Perms; /EncryptMetadata is followed")
        }
        guard !messages.isEmpty else { return (permissions, nil) }
        return (permissions & sealed, note("the /Encrypt dictionary was changed without the file key: " + messages.joined(separator: "; ")))
    }
}
