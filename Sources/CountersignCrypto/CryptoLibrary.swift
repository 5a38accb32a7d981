internal import LazySystemLibraries

/// libcrypto, loaded on first use (docs/architecture.md, "Lazily-loaded libraries").
public enum CryptoLibrary {
    /// Loads libcrypto now; throws `.systemLibrary` with the loader's reason when it cannot be
    /// loaded. Crypto's entry points (key, certificate and CMS loading, `CMSSigner`) call it, so
    /// a program embedding the library gets an error instead of the process exiting.
    public static func require() throws(CryptoError) {
        if let failure = cs_lazy_require(CS_LAZY_GROUP_CRYPTO.rawValue) {
            throw CryptoError(.systemLibrary, String(cString: failure))
        }
    }
}
