import CountersignCrypto
public import PDFSyntax

extension PDFDecryption {
    /// Opens encrypted inputs with `password` (empty: the usual empty user password) through
    /// libcrypto (`SecurityHandlerCiphers`). Signing and verification each have this adapter:
    /// neither may import the other (DESIGN.md §3), and PDFSyntax stays free of OpenSSL. Public
    /// here, for callers that read an encrypted document for verification purposes themselves.
    public static func openSSL(password: String) -> PDFDecryption {
        PDFDecryption(password: password, primitives: PDFSecurityPrimitives(
            md5: { try SecurityHandlerCiphers.md5($0) },
            sha2: { try SecurityHandlerCiphers.sha2(bits: $0, $1) },
            rc4: { try SecurityHandlerCiphers.rc4(key: $0, $1) },
            aesCBC: { try SecurityHandlerCiphers.aesCBC(encrypt: $0, key: $1, iv: $2, $3, padding: $4) },
            random: { try SecurityHandlerCiphers.random(count: $0) }))
    }
}
