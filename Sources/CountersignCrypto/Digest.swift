internal import COpenSSL
public import Foundation

/// A hash function this engine signs with.
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    /// The digest length in bytes.
    public var length: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The dotted object identifier (NIST hash algorithms arc).
    public var objectIdentifier: String {
        switch self {
        case .sha256: "2.16.840.1.101.3.4.2.1"
        case .sha384: "2.16.840.1.101.3.4.2.2"
        case .sha512: "2.16.840.1.101.3.4.2.3"
        }
    }

    /// The algorithm with this dotted object identifier, if it is one of ours.
    public init?(objectIdentifier: String) {
        guard let match = Self.allCases.first(where: { $0.objectIdentifier == objectIdentifier }) else { return nil }
        self = match
    }

    public var description: String { rawValue }

    /// The digest of `bytes` in one call.
    public func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var digest = Digest(self)
        bytes.withUnsafeBytes { digest.update($0) }
        return digest.finalize()
    }

    var evpMD: OpaquePointer {
        switch self {
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }

    /// OpenSSL's NID, for the few APIs that want one.
    var nid: Int32 {
        switch self {
        case .sha256: NID_sha256
        case .sha384: NID_sha384
        case .sha512: NID_sha512
        }
    }
}

/// A streaming hash: feed it bytes in pieces (e.g. a PDF's two signed byte ranges), then
/// finalize once.
public struct Digest: ~Copyable {
    /// The algorithm this hasher computes.
    public let algorithm: DigestAlgorithm
    private let context: OwnedPointer

    /// A fresh hasher.
    public init(_ algorithm: DigestAlgorithm) {
        // Allocation and init of a built-in SHA-2 only fail when memory is exhausted.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        self.context = OwnedPointer(takingOwnershipOf: context, free: EVP_MD_CTX_free)
        self.algorithm = algorithm
        guard EVP_DigestInit_ex(context, algorithm.evpMD, nil) == 1 else {
            fatalError("OpenSSL could not start \(algorithm): \(OpenSSL.drainErrors())")
        }
    }

    private init(algorithm: DigestAlgorithm, context: consuming OwnedPointer) {
        self.algorithm = algorithm
        self.context = context
    }

    /// An independent hasher that has already seen every byte this one has (EVP_MD_CTX_copy_ex):
    /// two digests that share a prefix hash it once.
    public func copy() -> Digest {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        let owned = OwnedPointer(takingOwnershipOf: context, free: EVP_MD_CTX_free)
        guard EVP_MD_CTX_copy_ex(context, self.context.pointer) == 1 else {
            fatalError("OpenSSL could not copy a \(algorithm) context: \(OpenSSL.drainErrors())")
        }
        return Digest(algorithm: algorithm, context: owned)
    }

    /// Adds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = EVP_DigestUpdate(context.pointer, base, bytes.count)
    }

    /// Adds bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds bytes.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context.pointer, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }
}

extension DigestAlgorithm {
    /// Whether `text` is a SHA-256 written as `hexString` writes it: 64 characters, each an ASCII
    /// digit or `a`–`f`. (`Character.isHexDigit` also takes full-width digits and letters.)
    public static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

extension [UInt8] {
    /// Lower-case hexadecimal: how digests are written in manifests, audit records and reports.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
