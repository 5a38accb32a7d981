/// The rows a store keeps beside an envelope's record so that it can be found without reading
/// every record — its CRM metadata (`key = value`) and the hashes of its signing links — and
/// what one commit must delete and insert to bring them in line with the new record.
///
/// Most transitions (open, consent, sign, complete) change neither, so a store that is given
/// the envelope as it was read writes none of these rows; one that is not deletes and inserts
/// them all, as for a new envelope.
public struct EnvelopeIndexWrites: Sendable {
    /// Whether the rows stored for the envelope must be deleted first (all of them), rather
    /// than only those named in `deletedMetadataKeys` and `deletedTokenHashes`.
    public var deleteAll: Bool
    public var deletedMetadataKeys: [String]
    /// Metadata rows to insert, sorted by key.
    public var insertedMetadata: [(key: String, value: String)]
    public var deletedTokenHashes: [String]
    /// Signing-link rows to insert: the token's hash and the recipient it signs in.
    public var insertedTokens: [(tokenHash: String, recipient: String)]

    /// Whether nothing is to be written.
    public var isEmpty: Bool {
        !deleteAll && deletedMetadataKeys.isEmpty && insertedMetadata.isEmpty && deletedTokenHashes.isEmpty && insertedTokens.isEmpty
    }

    /// The writes that take the rows of `previous` (as stored, the revision before) to those of
    /// `envelope`. With no usable `previous`, every row of `envelope` is inserted after deleting
    /// whatever is stored — except for a new envelope (revision 0), which has none stored.
    public init(envelope: Envelope, previous: Envelope?) {
        let tokens = envelope.recipients.flatMap { recipient in recipient.tokenHashes.map { (tokenHash: $0, recipient: recipient.id) } }
        guard let previous, previous.id == envelope.id, previous.account == envelope.account,
              previous.revision == envelope.revision - 1 else {
            deleteAll = envelope.revision != 0
            deletedMetadataKeys = []
            insertedMetadata = envelope.metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
            deletedTokenHashes = []
            insertedTokens = tokens
            return
        }
        deleteAll = false
        // A changed value is deleted and inserted again, like a new key.
        deletedMetadataKeys = previous.metadata.keys.filter { envelope.metadata[$0] != previous.metadata[$0] }.sorted()
        insertedMetadata = envelope.metadata.filter { previous.metadata[$0.key] != $0.value }
            .sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        let before = Dictionary(previous.recipients.flatMap { recipient in recipient.tokenHashes.map { ($0, recipient.id) } },
                                uniquingKeysWith: { first, _ in first })
        let after = Dictionary(tokens.map { ($0.tokenHash, $0.recipient) }, uniquingKeysWith: { first, _ in first })
        deletedTokenHashes = before.filter { after[$0.key] != $0.value }.keys.sorted()
        insertedTokens = tokens.filter { before[$0.tokenHash] != $0.recipient }
    }
}
