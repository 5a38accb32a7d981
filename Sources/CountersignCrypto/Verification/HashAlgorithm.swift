internal import COpenSSL
public import Foundation

/// A hash function a verifier may meet in someone else's signature: everything `DigestAlgorithm`
/// signs with, plus the older and newer ones real signers use (MD5 and SHA-1 in old files,
/// SHA-224, SHA-3, SHAKE256 for Ed448). Whether an algorithm is still *acceptable* is not
/// decided here but by the verifier's algorithm policy.
public enum HashAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case md5 = "MD5"
    case sha1 = "SHA-1"
    case sha224 = "SHA-224"
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"
    case sha3_256 = "SHA3-256"
    case sha3_384 = "SHA3-384"
    case sha3_512 = "SHA3-512"
    /// SHAKE256 with 512 bits of output (RFC 8419 §2.3: the Ed448 message digest).
    case shake256 = "SHAKE256"

    /// The dotted object identifier.
    public var objectIdentifier: String {
        switch self {
        case .md5: "1.2.840.113549.2.5"
        case .sha1: "1.3.14.3.2.26"
        case .sha224: "2.16.840.1.101.3.4.2.4"
        case .sha256: "2.16.840.1.101.3.4.2.1"
        case .sha384: "2.16.840.1.101.3.4.2.2"
        case .sha512: "2.16.840.1.101.3.4.2.3"
        case .sha3_256: "2.16.840.1.101.3.4.2.8"
        case .sha3_384: "2.16.840.1.101.3.4.2.9"
        case .sha3_512: "2.16.840.1.101.3.4.2.10"
        case .shake256: "2.16.840.1.101.3.4.2.12"
        }
    }

    /// The algorithm with this dotted object identifier. Also accepts the signature-algorithm
    /// OIDs some signers put in the digest-algorithm field (sha256WithRSAEncryption and the
    /// like), by the hash they name.
    public init?(objectIdentifier: String) {
        if let match = Self.allCases.first(where: { $0.objectIdentifier == objectIdentifier }) {
            self = match
        } else if let hash = Self.hashNamedBySignatureAlgorithm[objectIdentifier] {
            self = hash
        } else if objectIdentifier == Self.shake256WithLength {
            // id-shake256-len (RFC 8419 §2.3, with ShakeOutputLen 512 for Ed448 as pyHanko and
            // BouncyCastle write it): the same 64-byte SHAKE256. Another output length gives a
            // digest of another size, which no signed messageDigest then matches.
            self = .shake256
        } else {
            return nil
        }
    }

    /// The same hash as a `DigestAlgorithm`, when it is one this engine signs with.
    public init(_ digest: DigestAlgorithm) {
        switch digest {
        case .sha256: self = .sha256
        case .sha384: self = .sha384
        case .sha512: self = .sha512
        }
    }

    /// The output length in bytes.
    public var length: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha224: 28
        case .sha256, .sha3_256: 32
        case .sha384, .sha3_384: 48
        case .sha512, .sha3_512, .shake256: 64
        }
    }

    public var description: String { rawValue }

    /// The digest of `bytes` in one call.
    public func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var hasher = Hasher(self)
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }

    /// The hash each signature-algorithm OID names (RFC 3279, 4055, 5758, 8017).
    /// id-shake256-len: SHAKE256 with its output length as the parameter.
    static let shake256WithLength = "2.16.840.1.101.3.4.2.18"

    static let hashNamedBySignatureAlgorithm: [String: HashAlgorithm] = [
        "1.2.840.113549.1.1.4": .md5, "1.2.840.113549.1.1.5": .sha1, "1.2.840.113549.1.1.14": .sha224,
        "1.2.840.113549.1.1.11": .sha256, "1.2.840.113549.1.1.12": .sha384, "1.2.840.113549.1.1.13": .sha512,
        "1.2.840.10045.4.1": .sha1, "1.2.840.10045.4.3.1": .sha224, "1.2.840.10045.4.3.2": .sha256,
        "1.2.840.10045.4.3.3": .sha384, "1.2.840.10045.4.3.4": .sha512,
        "1.2.840.10040.4.3": .sha1, "2.16.840.1.101.3.4.3.1": .sha224, "2.16.840.1.101.3.4.3.2": .sha256,
        "1.3.14.3.2.29": .sha1,
    ]

    /// OpenSSL's implementation (built in; never nil for these).
    var evpMD: OpaquePointer? {
        switch self {
        case .md5: EVP_md5()
        case .sha1: EVP_sha1()
        case .sha224: EVP_sha224()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        case .sha3_256: EVP_sha3_256()
        case .sha3_384: EVP_sha3_384()
        case .sha3_512: EVP_sha3_512()
        case .shake256: EVP_shake256()
        }
    }

    /// A streaming hash of any `HashAlgorithm` (SHAKE256 finalized to 64 bytes).
    public struct Hasher: ~Copyable {
        public let algorithm: HashAlgorithm
        private let context: OwnedPointer

        public init(_ algorithm: HashAlgorithm) {
            // Allocation and init of a built-in hash only fail when memory is exhausted.
            guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
            self.context = OwnedPointer(takingOwnershipOf: context, free: EVP_MD_CTX_free)
            self.algorithm = algorithm
            guard EVP_DigestInit_ex(context, algorithm.evpMD, nil) == 1 else {
                fatalError("OpenSSL could not start \(algorithm): \(OpenSSL.drainErrors())")
            }
        }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            _ = EVP_DigestUpdate(context.pointer, base, bytes.count)
        }

        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        public consuming func finalize() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: max(Int(EVP_MAX_MD_SIZE), algorithm.length))
            if algorithm == .shake256 {
                _ = EVP_DigestFinalXOF(context.pointer, &digest, algorithm.length)
                return Array(digest.prefix(algorithm.length))
            }
            var length: UInt32 = 0
            _ = EVP_DigestFinal_ex(context.pointer, &digest, &length)
            return Array(digest.prefix(Int(length)))
        }
    }
}
