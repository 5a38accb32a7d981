public import CountersignCrypto

/// What a certificate says about itself for EU qualification: its ETSI EN 319 412-5
/// QcStatements (QcCompliance, QcSSCD, QcType) and its EN 319 411-2 certificate policies.
public struct CertificateQualifiers: Sendable, Hashable {
    /// The QC type a certificate is for.
    public enum Usage: String, Sendable, Hashable {
        case signature = "esign"
        case seal = "eseal"
        case web = "web"
    }

    /// `id-etsi-qcs-QcCompliance`: issued as a qualified certificate.
    public var qcCompliance = false
    /// `id-etsi-qcs-QcSSCD`: the private key is in a (Q)SCD.
    public var qcSSCD = false
    /// `id-etsi-qcs-QcType` values.
    public var qcTypes: [Usage] = []
    /// Certificate policy OIDs.
    public var policies: [String] = []
    /// Extended key usage OIDs.
    public var extendedKeyUsages: [String] = []

    static let qcStatementsOID = "1.3.6.1.5.5.7.1.3"
    static let policiesOID = "2.5.29.32"
    static let extendedKeyUsageOID = "2.5.29.37"
    static let qcCompliance = "0.4.0.1862.1.1"
    static let qcSSCD = "0.4.0.1862.1.4"
    static let qcType = "0.4.0.1862.1.6"
    static let qcTypes: [String: Usage] = ["0.4.0.1862.1.6.1": .signature, "0.4.0.1862.1.6.2": .seal, "0.4.0.1862.1.6.3": .web]
    /// EN 319 411-2 policies: QCP-n, QCP-l, QCP-n-qscd, QCP-l-qscd, QCP-w; and TS 101 456's QCP+ / QCP.
    static let qualifiedPolicies: [String: (usage: Usage?, qscd: Bool)] = [
        "0.4.0.194112.1.0": (.signature, false), "0.4.0.194112.1.1": (.seal, false),
        "0.4.0.194112.1.2": (.signature, true), "0.4.0.194112.1.3": (.seal, true), "0.4.0.194112.1.4": (.web, false),
        "0.4.0.1456.1.1": (nil, true), "0.4.0.1456.1.2": (nil, false),
    ]

    /// Reads the certificate's extensions; a malformed extension counts as absent.
    public init(_ certificate: Certificate) {
        guard let extensions = try? DERCertificateExtensions(certificate.derEncoded) else { return }
        if let value = extensions.value(of: Self.qcStatementsOID), var reader = try? DERReader.sequence(value) {
            while !reader.atEnd, var statement = try? reader.sequence() {
                guard let id = try? statement.objectIdentifier() else { continue }
                switch id {
                case Self.qcCompliance: qcCompliance = true
                case Self.qcSSCD: qcSSCD = true
                case Self.qcType:
                    if var types = try? statement.sequence() {
                        while !types.atEnd, let type = try? types.objectIdentifier() {
                            if let usage = Self.qcTypes[type] { qcTypes.append(usage) }
                        }
                    }
                default: continue
                }
            }
        }
        if let value = extensions.value(of: Self.policiesOID), var list = try? DERReader.sequence(value) {
            while !list.atEnd, var information = try? list.sequence() {
                if let oid = try? information.objectIdentifier() { policies.append(oid) }
            }
        }
        if let value = extensions.value(of: Self.extendedKeyUsageOID), var list = try? DERReader.sequence(value) {
            while !list.atEnd, let oid = try? list.objectIdentifier() { extendedKeyUsages.append(oid) }
        }
    }

    /// Qualified by its own statement: QcCompliance, or a qualified certificate policy.
    public var claimsQualified: Bool { qcCompliance || policies.contains { Self.qualifiedPolicies[$0] != nil } }

    /// Private key in a QSCD by its own statement: QcSSCD or a -qscd / QCP+ policy.
    public var claimsQSCD: Bool { qcSSCD || policies.contains { Self.qualifiedPolicies[$0]?.qscd == true } }

    /// The usage the certificate states: its QcType, else a type-specific qualified policy.
    public var statedUsage: Usage? {
        if qcTypes.count == 1 { return qcTypes[0] }
        if !qcTypes.isEmpty { return nil }  // several: ambiguous
        let usages = Set(policies.compactMap { Self.qualifiedPolicies[$0]?.usage })
        return usages.count == 1 ? usages.first : nil
    }
}
