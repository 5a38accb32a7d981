import CountersignCrypto
import Signing
import Typesetting
import Verification

/// What completing an envelope needs besides the store, made once and lent out by the engine's
/// pool: a typesetter for the final documents and their Certificate of Completion, the
/// organisation seal's signer on that typesetter (its key parsed and its signature size worked
/// out once, not per envelope), and the verifier every sealed file must pass. Not thread-safe:
/// one completion at a time uses it.
final class Sealer {
    let typesetter: Typesetter
    let signer: PDFSigner
    let verifier: PDFVerifier

    init(seal: SealConfiguration) throws {
        typesetter = try Typesetter()
        signer = try PDFSigner(identity: seal.identity, timestampClient: seal.timestampURL.map { TimestampClient(url: $0) },
                               typesetter: typesetter)
        verifier = PDFVerifier(trustAnchors: seal.trustAnchors)
    }
}
