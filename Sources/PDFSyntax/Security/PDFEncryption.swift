/// An encrypted document opened with the standard security handler: the file key, and the
/// per-object encryption and decryption of strings and streams (ISO 32000-2 §7.6.2–7.6.3).
///
/// What is never encrypted (§7.6.2): the `/Encrypt` dictionary, cross-reference streams, the
/// `/Contents` of a signature dictionary, objects inside an object stream (the stream as a whole
/// is), and with `/EncryptMetadata false` the metadata streams.
public struct PDFEncryption: Sendable {
    let handler: StandardSecurityHandler
    let fileKey: [UInt8]
    let primitives: PDFSecurityPrimitives
    /// The `/Encrypt` dictionary's object, when it is indirect (never decrypted or encrypted).
    let dictionaryReference: PDFReference?

    /// The standard handler's revision (`/R`, 2–6).
    public var revision: Int { handler.revision }
    /// What the document grants to someone who opened it with this password.
    public let permissions: PDFPermissions
    /// Set when revision 5 or 6's `/Perms` does not confirm `/P` (the document lists it in `notes`).
    let permissionsNote: PDFNote?

    /// The cipher for strings and for streams, for people ("RC4 128-bit", "AES-256", …).
    public var methodDescription: String {
        func describe(_ method: StandardSecurityHandler.Method) -> String {
            method == .rc4 ? "RC4 \(handler.keyLength * 8)-bit" : method.description
        }
        let strings = describe(handler.stringMethod), streams = describe(handler.streamMethod)
        let methods = strings == streams ? strings : "\(strings) for strings, \(streams) for streams"
        return "standard security handler revision \(handler.revision), \(methods)"
    }

    /// Reads the `/Encrypt` dictionary and opens it with the password. Throws `.encrypted` for
    /// what this handler cannot open (with what it is), `.wrongPassword` for a password that is
    /// neither the user nor the owner password.
    init(dictionary: PDFDictionary, reference: PDFReference?, trailer: PDFDictionary, decryption: PDFDecryption) throws {
        let filter = dictionary["Filter"]?.nameValue?.string ?? ""
        guard filter == "Standard" else {
            if filter == "Adobe.PubSec" {
                throw PDFError(.encrypted, "the document is encrypted for named recipients with the public-key security handler (/Adobe.PubSec, /SubFilter \(dictionary["SubFilter"]?.nameValue?.string ?? "none")): opening it needs a recipient's private key, which Countersign does not take — ask the sender for a copy encrypted with a password, or decrypted")
            }
            throw PDFError(.encrypted, "the document is encrypted with the security handler /\(filter.isEmpty ? "(none named)" : filter), which is not one ISO 32000 defines; only the standard (password) handler can be opened")
        }
        handler = try StandardSecurityHandler(dictionary)
        // Revisions 2–4 mix the first /ID string into the key; 5 and 6 do not need it. Without an
        // /ID (invalid) the key is computed from none, as other readers do: the password check
        // below confirms it or refuses, so there is no second reading.
        let firstID = trailer["ID"]?.arrayValue?.first?.stringValue?.bytes
        guard let (key, owner) = try Self.authenticated(handler, decryption, firstID: firstID ?? []) else {
            if firstID == nil, handler.revision < 5 {
                throw PDFError(.encrypted, "the document is encrypted (standard handler revision \(handler.revision)) and its trailer has no /ID, which the key is computed from; computed without one, the key does not open it")
            }
            throw PDFError(.wrongPassword, decryption.password.isEmpty
                ? "the document is encrypted and needs a password to open (the empty user password does not open it): give its user or owner password (--document-password-file or --document-password-env); if it should open without one, its /Encrypt dictionary is damaged (standard handler revision \(handler.revision), \(handler.keyLength * 8)-bit key)"
                : "the password given opens the document neither as its user password nor as its owner password")
        }
        fileKey = key
        primitives = decryption.primitives
        dictionaryReference = reference
        let checked: (bits: UInt32, note: PDFNote?)
        do {
            checked = try handler.checkedPermissions(fileKey: key, using: decryption.primitives)
        } catch {
            throw PDFError(.encrypted, "the document's /Perms string (standard handler revision \(handler.revision)) cannot be decrypted: \(error)")
        }
        permissions = PDFPermissions(bits: checked.bits, revision: handler.revision, ownerAuthenticated: owner)
        permissionsNote = checked.note
    }

    private static func authenticated(_ handler: StandardSecurityHandler, _ decryption: PDFDecryption, firstID: [UInt8]) throws
        -> (key: [UInt8], owner: Bool)? {
        do {
            return try handler.authenticate(decryption.password, firstID: firstID, using: decryption.primitives)
        } catch let error as PDFError {
            throw error
        } catch {
            throw PDFError(.encrypted, "the document's encryption (standard handler revision \(handler.revision)) cannot be opened: \(error)")
        }
    }

    // MARK: Objects

    /// An indirect object as stored → as meant: its strings and stream data decrypted.
    func decrypt(_ object: PDFObject, reference: PDFReference) throws -> PDFObject {
        try transform(object, reference: reference, encrypt: false)
    }

    /// An indirect object as meant → as it must be stored: its strings and stream data encrypted.
    public func encrypt(_ object: PDFObject, reference: PDFReference) throws -> PDFObject {
        try transform(object, reference: reference, encrypt: true)
    }

    private func transform(_ object: PDFObject, reference: PDFReference, encrypt: Bool) throws -> PDFObject {
        guard reference != dictionaryReference else { return object }
        do {
            switch object {
            case .stream(let stream):
                let type = stream.dictionary["Type"]?.nameValue
                if type == "XRef" { return object }
                let method = streamMethod(stream.dictionary, type: type)
                let data = try apply(method, to: stream.encodedData, reference: reference, encrypt: encrypt)
                return .stream(PDFStream(dictionary: try strings(in: stream.dictionary, method: handler.stringMethod,
                                                                 reference: reference, encrypt: encrypt),
                                         encodedData: data))
            default:
                return try strings(in: object, method: handler.stringMethod, reference: reference, encrypt: encrypt)
            }
        } catch let error as PDFError {
            throw error.inObject(reference)
        } catch {
            throw PDFError(.encrypted, "object \(reference.number) \(reference.generation) cannot be \(encrypt ? "encrypted" : "decrypted"): \(error)", object: reference)
        }
    }

    /// The method a stream uses: its own `/Crypt` filter's, else by kind (metadata, embedded file, other).
    private func streamMethod(_ dictionary: PDFDictionary, type: PDFName?) -> StandardSecurityHandler.Method {
        if let cryptName = Self.cryptFilterName(dictionary) {
            return cryptName == "Identity" ? .identity : (handler.namedMethods[cryptName] ?? handler.streamMethod)
        }
        if type == "Metadata", !handler.encryptMetadata { return .identity }
        if type == "EmbeddedFile" { return handler.embeddedFileMethod }
        return handler.streamMethod
    }

    /// The crypt filter a stream names as the first of its `/Filter`s (`/Identity` when it gives no `/Name`).
    static func cryptFilterName(_ dictionary: PDFDictionary) -> PDFName? {
        let filters = dictionary["Filter"].map { $0.arrayValue ?? [$0] } ?? []
        guard filters.first?.nameValue == "Crypt" else { return nil }
        let parms = dictionary["DecodeParms"] ?? dictionary["DP"]
        let first = parms?.arrayValue?.first ?? parms
        return first?.dictionaryValue?["Name"]?.nameValue ?? "Identity"
    }

    private func strings(in object: PDFObject, method: StandardSecurityHandler.Method, reference: PDFReference,
                         encrypt: Bool) throws -> PDFObject {
        switch object {
        case .string(let string):
            return .string(PDFString(bytes: try apply(method, to: string.bytes, reference: reference, encrypt: encrypt),
                                     syntax: string.syntax))
        case .array(let items):
            return .array(try items.map { try strings(in: $0, method: method, reference: reference, encrypt: encrypt) })
        case .dictionary(let dictionary):
            return .dictionary(try strings(in: dictionary, method: method, reference: reference, encrypt: encrypt))
        default:
            return object
        }
    }

    private func strings(in dictionary: PDFDictionary, method: StandardSecurityHandler.Method, reference: PDFReference,
                         encrypt: Bool) throws -> PDFDictionary {
        let signature = Self.isSignatureDictionary(dictionary)
        var result = dictionary
        for (key, value) in dictionary {
            // A signature's /Contents is stored in clear: it is what the signed byte ranges leave out.
            if signature, key == "Contents" { continue }
            switch value {
            case .string, .array, .dictionary:
                result[key] = try strings(in: value, method: method, reference: reference, encrypt: encrypt)
            default:
                continue
            }
        }
        return result
    }

    /// A signature dictionary (or document timestamp): `/ByteRange` and `/Contents`, and no
    /// other `/Type` than `/Sig` or `/DocTimeStamp`.
    static func isSignatureDictionary(_ dictionary: PDFDictionary) -> Bool {
        guard dictionary["ByteRange"] != nil, dictionary["Contents"]?.stringValue != nil else { return false }
        guard let type = dictionary["Type"]?.nameValue else { return true }
        return type == "Sig" || type == "DocTimeStamp"
    }

    /// Encrypts or decrypts one string's or stream's bytes with an object's key.
    private func apply(_ method: StandardSecurityHandler.Method, to bytes: [UInt8], reference: PDFReference,
                       encrypt: Bool) throws -> [UInt8] {
        switch method {
        case .identity:
            return bytes
        case .rc4:
            return try primitives.rc4(try objectKey(reference, aes: false), bytes)
        case .aes128, .aes256:
            let key = method == .aes256 ? fileKey : try objectKey(reference, aes: true)
            if encrypt {
                let iv = try primitives.random(16)
                return iv + (try primitives.aesCBC(true, key, iv, bytes, true))
            }
            // An empty string stays empty (some writers do not encrypt it at all).
            if bytes.isEmpty || bytes.count == 16 { return [] }
            guard bytes.count >= 32, bytes.count % 16 == 0 else {
                throw PDFError(.encrypted, "an AES-encrypted string or stream is \(bytes.count) bytes long; it must be a 16-byte IV and whole 16-byte blocks", object: reference)
            }
            return try primitives.aesCBC(false, key, Array(bytes[0..<16]), Array(bytes[16...]), true)
        }
    }

    /// Algorithm 1: the key for one object (RC4 and AES-128); AES-256 uses the file key itself.
    private func objectKey(_ reference: PDFReference, aes: Bool) throws -> [UInt8] {
        var input = fileKey
        let number = UInt32(truncatingIfNeeded: reference.number), generation = UInt32(truncatingIfNeeded: reference.generation)
        input += [UInt8(truncatingIfNeeded: number), UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number >> 16),
                  UInt8(truncatingIfNeeded: generation), UInt8(truncatingIfNeeded: generation >> 8)]
        if aes { input += [0x73, 0x41, 0x6C, 0x54] }
        return Array(try primitives.md5(input).prefix(min(fileKey.count + 5, 16)))
    }
}
