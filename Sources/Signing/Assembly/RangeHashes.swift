import CountersignCrypto
import PDFSyntax

/// The hashes one signature needs, fed in one pass: the signature's digest over the two byte
/// ranges and, when asked for, SHA-256 over the same bytes (the audit record's hash of the
/// original, the output's SHA-256 for a manifest). With a SHA-256 signature digest these are one
/// hasher, forked with `Digest.copy()` where they part; otherwise a second hasher runs alongside.
struct RangeHashes: ~Copyable {
    private var signature: Digest
    /// SHA-256 beside a SHA-384/512 signature digest; unused otherwise.
    private var second: Digest
    private let separate: Bool

    init(signature algorithm: DigestAlgorithm, sha256: Bool) {
        signature = Digest(algorithm)
        separate = sha256 && algorithm != .sha256
        second = Digest(.sha256)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        signature.update(bytes)
        if separate { second.update(bytes) }
    }

    mutating func update(_ bytes: PDFBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// SHA-256 of everything fed so far (the hashers keep going).
    func sha256SoFar() -> [UInt8] {
        forkSHA256().finalize()
    }

    /// A SHA-256 hasher that has seen everything fed so far (when made with `sha256: true`),
    /// to continue on its own.
    func forkSHA256() -> Digest {
        separate ? second.copy() : signature.copy()
    }

    /// The signature's digest.
    consuming func finalizeSignature() -> [UInt8] {
        signature.finalize()
    }
}
