import CountersignCrypto
import Foundation
import Synchronization

/// Chains already validated in this run, so a batch signed by one signer validates its chain
/// once. A cached chain is reused only at a time inside every certificate's validity — exactly
/// when validating again would succeed with the same anchors — and anything else is validated
/// afresh. Thread-safe; bounded.
final class TrustCache: Sendable {
    private struct Key: Hashable {
        var leaf: String
        var intermediates: [String]
    }

    private let chains = Mutex<[Key: [Certificate]]>([:])
    private let capacity = 1024

    /// Validates `certificate` at `time` with `validator`, or reuses a chain validated before;
    /// returns the path (leaf first, anchor last).
    @discardableResult
    func validate(_ certificate: Certificate, intermediates: [Certificate], at time: Date,
                  with validator: ChainValidator) throws -> [Certificate] {
        let key = Key(leaf: certificate.sha256Fingerprint, intermediates: intermediates.map(\.sha256Fingerprint))
        if let chain = chains.withLock({ $0[key] }), chain.allSatisfy({ $0.isValid(at: time) }) { return chain }
        let chain = try validator.validate(certificate, intermediates: intermediates, at: time)
        chains.withLock { chains in
            if chains.count >= capacity { chains.removeAll(keepingCapacity: true) }
            chains[key] = chain
        }
        return chain
    }
}
