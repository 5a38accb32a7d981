public import CountersignCrypto
public import Foundation

/// Loads a signing identity from the files a user names: a PKCS#12, or a PEM key with a PEM
/// certificate chain. Passwords come from a file, an environment variable or a prompt — never
/// from the command line. The certificate is checked for validity now and for a signing key usage.
public struct IdentityLoader: Sendable {
    public enum Source: Sendable, Hashable {
        case pkcs12(URL)
        case pem(key: URL, certificates: URL)
    }

    public var source: Source
    public var password: PasswordSource?
    public var allowExpired: Bool
    /// Where the password comes from, as the advice in a wrong-password error names it.
    public var passwordHint: String
    /// How to sign with an expired certificate anyway, for the advice; nil where that is not
    /// allowed (an organisation seal).
    public var allowExpiredHint: String?

    public init(source: Source, password: PasswordSource?, allowExpired: Bool = false,
                passwordHint: String = "--password-file, --password-env", allowExpiredHint: String? = "--allow-expired") {
        self.source = source
        self.password = password
        self.allowExpired = allowExpired
        self.passwordHint = passwordHint
        self.allowExpiredHint = allowExpiredHint
    }

    /// Loads and checks the identity. Every error names the file it is about (the PKCS#12, the
    /// key or the certificate file) and says what to do.
    public func load(at date: Date = Date()) throws -> SigningIdentity {
        let identity: SigningIdentity
        let certificateFile: URL
        switch source {
        case .pkcs12(let url):
            certificateFile = url
            let data = try read(url)
            // A PEM file (openssl's output may start with "Bag Attributes" lines) given as a PKCS#12.
            if String(decoding: data.prefix(4096), as: UTF8.self).contains("-----BEGIN ") {
                throw CryptoError(.malformed, "\(url.path): is a PEM file, not a PKCS#12 — give a PEM key and its chain as the key and "
                                  + "certificate files (--key and --cert; for a seal, --seal-key and --seal-cert)")
            }
            let secret = try readPassword(for: url)
            identity = try named(url) { try SigningIdentity.load(pkcs12: data, password: secret) }
        case .pem(let keyURL, let certificatesURL):
            certificateFile = certificatesURL
            let key = try read(keyURL)
            let certificates = try read(certificatesURL)
            let encrypted = String(decoding: key, as: UTF8.self).contains("ENCRYPTED")
            let secret = encrypted ? try readPassword(for: keyURL) : nil
            // The key alone first, so its errors (password, format) name the key file.
            _ = try named(keyURL) { try PrivateKey.load(pem: key, password: secret) }
            identity = try named(certificatesURL) {
                try SigningIdentity.load(keyPEM: key, password: secret, certificatesPEM: certificates)
            }
        }
        try named(certificateFile) { try identity.validate(at: date, allowExpired: allowExpired) }
        return identity
    }

    /// The password of `file`: from its source, else asked for on the terminal. Without one
    /// (a worker under a supervisor), the error names the file and where a password can come from.
    private func readPassword(for file: URL) throws -> String {
        do {
            return try (password ?? .prompt).read(prompt: "Password for \(file.lastPathComponent): ")
        } catch let error as CryptoError where error.code == .passwordUnavailable {
            throw CryptoError(error.code, "\(file.path): \(error.reason) — give the password with \(passwordHint)")
        }
    }

    /// Runs `body`, putting `file` and what to do into a `CryptoError`'s reason.
    private func named<T>(_ file: URL, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CryptoError {
            var advice: String? = nil
            switch error.code {
            case .wrongPassword: advice = "check the password file or variable (\(passwordHint))"
            case .certificateExpired: advice = "renew the certificate" + (allowExpiredHint.map { ", or sign anyway with \($0)" } ?? "")
            case .certificateNotYetValid: advice = "check the machine's clock and --date, or wait until the certificate is valid"
            case .noSigningKeyUsage: advice = "use a certificate issued for signatures"
            case .keyCertificateMismatch: advice = "give the certificate that belongs to this key"
            default: break
            }
            let reason = "\(file.path): \(error.reason)" + (advice.map { " — \($0)" } ?? "")
            throw CryptoError(error.code, reason)
        }
    }

    private func read(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CryptoError(.io, "\(url.path): no such file")
        }
        return try Data(contentsOf: url)
    }
}
