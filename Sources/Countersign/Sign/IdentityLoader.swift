public import Crypto
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

    public init(source: Source, password: PasswordSource?, allowExpired: Bool = false) {
        self.source = source
        self.password = password
        self.allowExpired = allowExpired
    }

    public func load(at date: Date = Date()) throws -> SigningIdentity {
        let identity: SigningIdentity
        switch source {
        case .pkcs12(let url):
            let data = try read(url)
            let secret = try (password ?? .prompt).read(prompt: "Password for \(url.lastPathComponent): ")
            identity = try SigningIdentity.load(pkcs12: data, password: secret)
        case .pem(let keyURL, let certificatesURL):
            let key = try read(keyURL)
            let certificates = try read(certificatesURL)
            let encrypted = String(decoding: key, as: UTF8.self).contains("ENCRYPTED")
            let secret = encrypted ? try (password ?? .prompt).read(prompt: "Password for \(keyURL.lastPathComponent): ") : nil
            identity = try SigningIdentity.load(keyPEM: key, password: secret, certificatesPEM: certificates)
        }
        try identity.validate(at: date, allowExpired: allowExpired)
        return identity
    }

    private func read(_ url: URL) throws -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CryptoError(.io, "\(url.path): no such file")
        }
        return try Data(contentsOf: url)
    }
}
