internal import COpenSSL
import Foundation

/// A C pointer that is freed exactly once, when this value goes away (swift-crypto style).
struct OwnedPointer: ~Copyable {
    let pointer: OpaquePointer
    private let release: @convention(c) (OpaquePointer?) -> Void

    init(takingOwnershipOf pointer: OpaquePointer, free release: @convention(c) (OpaquePointer?) -> Void) {
        self.pointer = pointer
        self.release = release
    }

    deinit { release(pointer) }

    /// Hands the pointer to a new owner without freeing it.
    consuming func take() -> OpaquePointer {
        let pointer = self.pointer
        discard self
        return pointer
    }
}

/// Memory BIOs, freed when the owner goes away.
enum BIOs {
    static let free: @convention(c) (OpaquePointer?) -> Void = { _ = BIO_free($0) }

    /// A writable memory BIO.
    static func memory() throws -> OwnedPointer {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSL.failure("cannot allocate a memory BIO") }
        return OwnedPointer(takingOwnershipOf: bio, free: free)
    }

    /// Runs `body` with a read-only BIO over `bytes` (valid only inside `body`).
    static func reading<T>(_ bytes: some ContiguousBytes, _ body: (OpaquePointer) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { buffer in
            guard buffer.count <= Int32.max else { throw CryptoError(.invalidArgument, "input larger than 2 GiB") }
            guard let bio = BIO_new_mem_buf(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count))
            else { throw OpenSSL.failure("cannot allocate a memory BIO") }
            let owned = OwnedPointer(takingOwnershipOf: bio, free: free)
            return try body(owned.pointer)
        }
    }

    /// Everything written to a memory BIO so far.
    static func contents(of bio: OpaquePointer) -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = cs_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}

/// Small helpers over OpenSSL's error queue, ASN.1 values and DER encoders.
enum OpenSSL {
    /// Drains OpenSSL's thread-local error queue into one line (never contains secrets: OpenSSL
    /// reports library, function and reason codes only).
    static func drainErrors() -> String {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(string(buffer))
        }
        return messages.joined(separator: "; ")
    }

    /// An error for a failed OpenSSL call, with OpenSSL's queued errors appended.
    static func failure(_ what: String, code: CryptoError.Code = .openSSL,
                        fileID: String = #fileID, line: Int = #line) -> CryptoError {
        let queued = drainErrors()
        return CryptoError(code, queued.isEmpty ? what : "\(what) (\(queued))", fileID: fileID, line: line)
    }

    /// Calls an `i2d_*` encoder twice (size, then bytes) and returns the DER.
    static func encode(_ what: String,
                       _ encoder: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> [UInt8] {
        let length = encoder(nil)
        guard length > 0 else { throw failure("cannot DER-encode \(what)") }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return encoder(&cursor)
        }
        guard written == length else { throw failure("cannot DER-encode \(what)") }
        return bytes
    }

    /// Calls a `d2i_*` decoder over `bytes`, requiring it to consume every byte.
    static func decode(_ what: String, _ bytes: [UInt8], free release: @convention(c) (OpaquePointer?) -> Void,
                       _ decoder: (UnsafeMutablePointer<UnsafePointer<UInt8>?>?, Int) -> OpaquePointer?) throws -> OwnedPointer {
        ERR_clear_error()
        let (object, consumed) = bytes.withUnsafeBufferPointer { buffer -> (OpaquePointer?, Int) in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            let object = decoder(&cursor, buffer.count)
            guard let start = buffer.baseAddress, let end = cursor else { return (object, 0) }
            return (object, end - start)
        }
        guard let object else { throw failure("not a DER \(what)", code: .malformed) }
        let owned = OwnedPointer(takingOwnershipOf: object, free: release)
        guard consumed == bytes.count else {
            throw CryptoError(.malformed, "\(what) is followed by \(bytes.count - consumed) unexpected bytes")
        }
        return owned
    }

    /// A Swift string from a NUL-terminated C buffer.
    static func string(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { pointer in
            guard let base = pointer.baseAddress, pointer.contains(0) else { return "" }
            return String(cString: base)
        }
    }

    /// The bytes of an ASN1_STRING (OCTET STRING, INTEGER, …).
    static func bytes(of string: UnsafePointer<ASN1_STRING>?) -> [UInt8] {
        guard let string, let data = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(string))))
    }

    /// A dotted object identifier ("1.2.840.113549.1.7.2").
    static func dottedOID(_ object: OpaquePointer?) -> String {
        guard let object else { return "" }
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        return length > 0 ? string(buffer) : ""
    }

    /// OpenSSL's long name for an object ("sha256WithRSAEncryption"), else the dotted OID.
    static func name(of object: OpaquePointer?) -> String {
        let nid = OBJ_obj2nid(object)
        if nid != NID_undef, let name = OBJ_nid2ln(nid) { return String(cString: name) }
        return dottedOID(object)
    }

    /// A UTCTime or GeneralizedTime as a Date (UTC).
    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// An ASN.1 time for `date` (UTCTime before 2050, GeneralizedTime after, as RFC 5280 asks).
    static func asn1Time(_ date: Date) throws -> OwnedPointer {
        guard let time = ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970.rounded(.down))) else {
            throw failure("cannot encode the time \(date)")
        }
        return OwnedPointer(takingOwnershipOf: OpaquePointer(time), free: freeASN1Time)
    }

    static let freeASN1Time: @convention(c) (OpaquePointer?) -> Void = {
        ASN1_STRING_free(UnsafeMutablePointer<ASN1_STRING>($0))
    }

    /// Lower-case hex.
    static func hex(_ bytes: some Sequence<UInt8>) -> String { Array(bytes).hexString }

    /// Cryptographically random bytes.
    static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw failure("the random generator failed") }
        return bytes
    }
}
