import Synchronization

/// The envelopes this engine committed last, found by their recipients' signing-token hashes.
///
/// A signer acts several times in a row (open, consent, adopt, sign), and each action began by
/// reading the envelope by token: a round trip that, on PostgreSQL, was a quarter of an
/// envelope's statements. The engine remembers each envelope it commits and starts a signer's
/// next action from it. That is safe because nothing is decided on a remembered envelope alone:
///
/// - a commit names the revision it was read at, so if another process changed the envelope
///   since, the store refuses it (`conflict`) and the action runs again on a fresh read;
/// - a refusal, or an action that changes nothing (and so commits nothing that could prove the
///   memory current), is decided again on a fresh read before it is returned.
///
/// At most `capacity` envelopes and about `byteBudget` bytes are kept (an adopted signature
/// image alone may be a megabyte); when either is reached, the memory starts over: it holds the
/// envelopes being signed now, not a history.
final class RecentEnvelopes: Sendable {
    private struct State {
        var envelopes: [String: (envelope: Envelope, bytes: Int)] = [:]
        /// Token hash → envelope id, for every remembered envelope's recipients.
        var tokens: [String: String] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    let capacity: Int
    let byteBudget: Int

    init(capacity: Int = 2048, byteBudget: Int = 32 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    /// About how much memory an envelope holds: a base for its records, and what can be large
    /// (the data, the metadata, the adopted signature images).
    static func footprint(_ envelope: Envelope) -> Int {
        var bytes = 4096
        for (key, value) in envelope.data { bytes += key.utf8.count + value.utf8.count }
        for (key, value) in envelope.metadata { bytes += key.utf8.count + value.utf8.count }
        for recipient in envelope.recipients {
            switch recipient.mark {
            case .drawn(let png)?, .uploaded(let png)?: bytes += png.count
            default: break
            }
        }
        return bytes
    }

    /// Remembers an envelope as just committed, unless a later revision is remembered already.
    func remember(_ envelope: Envelope) {
        let key = Self.key(envelope.account, envelope.id)
        let bytes = Self.footprint(envelope)
        state.withLock { state in
            if let known = state.envelopes[key] {
                guard known.envelope.revision < envelope.revision else { return }
                for recipient in known.envelope.recipients { for hash in recipient.tokenHashes { state.tokens[hash] = nil } }
                state.bytes -= known.bytes
                state.envelopes[key] = nil
            }
            if state.envelopes.count >= capacity || state.bytes + bytes > byteBudget {
                state = State()
            }
            guard bytes <= byteBudget else { return }
            state.envelopes[key] = (envelope, bytes)
            state.bytes += bytes
            for recipient in envelope.recipients { for hash in recipient.tokenHashes { state.tokens[hash] = key } }
        }
    }

    /// The remembered envelope holding a token's hash, and the recipient it belongs to.
    func envelope(tokenHash: String) -> (recipient: String, envelope: Envelope)? {
        state.withLock { state in
            guard let key = state.tokens[tokenHash], let envelope = state.envelopes[key]?.envelope,
                  let recipient = envelope.recipients.first(where: { $0.tokenHashes.contains(tokenHash) }) else { return nil }
            return (recipient.id, envelope)
        }
    }

    /// How many envelopes are remembered, and their footprint (for tests).
    var count: Int { state.withLock { $0.envelopes.count } }
    var bytes: Int { state.withLock { $0.bytes } }

    private static func key(_ account: String, _ id: String) -> String { account + "\u{0}" + id }
}
