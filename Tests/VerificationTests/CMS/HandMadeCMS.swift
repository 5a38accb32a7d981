import Foundation

/// A minimal DER writer, to build CMS structures openssl's `cms` command cannot make (EdDSA,
/// ESS signingCertificate v1, several timestamp attributes). Hashes and signatures come from
/// the openssl CLI; nothing here uses our Crypto module.
enum ASN1 {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8]
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var rest = content.count
            length = []
            while rest > 0 { length.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
            length.insert(0x80 | UInt8(length.count), at: 0)
        }
        return [tag] + length + content
    }

    static func sequence(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    /// A DER SET OF: elements sorted by their encodings.
    static func set(_ parts: [[UInt8]]) -> [UInt8] { tlv(0x31, parts.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }) }
    static func octets(_ bytes: [UInt8]) -> [UInt8] { tlv(0x04, bytes) }
    static func integer(_ value: Int) -> [UInt8] { tlv(0x02, [UInt8(value)]) }
    static func explicit(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { tlv(0xA0 | number, content) }

    static func oid(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        var body: [UInt8] = []
        for (index, arc) in ([arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2)).enumerated() {
            _ = index
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var rest = arc >> 7
            while rest > 0 { chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0); rest >>= 7 }
            body += chunk
        }
        return tlv(0x06, body)
    }

    static func algorithm(_ dotted: String) -> [UInt8] { sequence(oid(dotted)) }
}

/// A detached CMS SignedData with one or more SignerInfos, signed by the openssl CLI.
struct HandMadeCMS {
    enum ESS { case none, v1, v2 }

    struct Signer {
        var leaf: ExternalPKI.Leaf
        var type: ExternalPKI.KeyType
        var signedAttributes = true
        var ess = ESS.none
        /// Signed attributes in the reverse of DER order, signed as encoded (as some old signers do).
        var unsortedAttributes = false
        /// The certificate the ESS reference hashes (default: the signer's own).
        var essCertificate: URL?
        /// Unsigned signatureTimeStampToken attributes, from the signature value.
        var timestamps: ([UInt8]) throws -> [[UInt8]] = { _ in [] }
        /// Another OID in the digestAlgorithm fields (a signature algorithm's, as some signers write).
        var digestAlgorithmOID: String?
    }

    static let data = "1.2.840.113549.1.7.1"

    /// The CMS over `content` (detached).
    static func make(content: [UInt8], signers: [Signer]) throws -> [UInt8] {
        let pki = ExternalPKI.shared
        var infos: [[UInt8]] = []
        var certificates: [[UInt8]] = []
        var digestAlgorithms: [[UInt8]] = []
        for signer in signers {
            let certificate = try pki.opensslFiles(["x509", "-in", signer.leaf.certificate.path, "-outform", "DER", "-out", "OUT"], input: [])
            certificates.append(certificate)
            let (standardOID, digestArguments) = digest(for: signer.type)
            let digestOID = signer.digestAlgorithmOID ?? standardOID
            digestAlgorithms.append(ASN1.algorithm(digestOID))
            var signerInfo = ASN1.integer(3) + ASN1.tlv(0x80, try subjectKeyIdentifier(signer.leaf)) + ASN1.algorithm(digestOID)
            var toBeSigned = content
            if signer.signedAttributes {
                let messageDigest = try pki.opensslFiles(["dgst"] + digestArguments + ["-binary", "-out", "OUT", "IN"], input: content)
                var attributes = [
                    ASN1.sequence(ASN1.oid("1.2.840.113549.1.9.3"), ASN1.set([ASN1.oid(data)])),
                    ASN1.sequence(ASN1.oid("1.2.840.113549.1.9.4"), ASN1.set([ASN1.octets(messageDigest)])),
                ]
                let referenced = try signer.essCertificate.map {
                    try pki.opensslFiles(["x509", "-in", $0.path, "-outform", "DER", "-out", "OUT"], input: [])
                } ?? certificate
                switch signer.ess {
                case .none: break
                case .v1:
                    let hash = try pki.opensslFiles(["dgst", "-sha1", "-binary", "-out", "OUT", "IN"], input: referenced)
                    attributes.append(ASN1.sequence(ASN1.oid("1.2.840.113549.1.9.16.2.12"),
                                                    ASN1.set([ASN1.sequence(ASN1.sequence(ASN1.sequence(ASN1.octets(hash))))])))
                case .v2:
                    let hash = try pki.opensslFiles(["dgst", "-sha256", "-binary", "-out", "OUT", "IN"], input: referenced)
                    attributes.append(ASN1.sequence(ASN1.oid("1.2.840.113549.1.9.16.2.47"),
                                                    ASN1.set([ASN1.sequence(ASN1.sequence(ASN1.sequence(ASN1.octets(hash))))])))
                }
                let set = signer.unsortedAttributes
                    ? ASN1.tlv(0x31, attributes.sorted { $0.lexicographicallyPrecedes($1) }.reversed().flatMap { $0 })
                    : ASN1.set(attributes)
                toBeSigned = set
                signerInfo += [0xA0] + set.dropFirst()
            }
            let signature = try sign(toBeSigned, signer)
            signerInfo += ASN1.algorithm(signatureOID(for: signer.type)) + ASN1.octets(signature)
            let tokens = try signer.timestamps(signature)
            if !tokens.isEmpty {
                // Each token in an attribute of its own (as two timestamping passes would add them).
                let attributes = tokens.map { ASN1.sequence(ASN1.oid("1.2.840.113549.1.9.16.2.14"), ASN1.set([$0])) }
                signerInfo += ASN1.tlv(0xA1, attributes.flatMap { $0 })
            }
            infos.append(ASN1.sequence(signerInfo))
        }
        let signedData = ASN1.sequence(ASN1.integer(3), ASN1.set(digestAlgorithms), ASN1.sequence(ASN1.oid(data)),
                                       ASN1.explicit(0, certificates.flatMap { $0 }), ASN1.set(infos))
        return ASN1.sequence(ASN1.oid("1.2.840.113549.1.7.2"), ASN1.explicit(0, signedData))
    }

    /// RFC 8419: SHA-512 for Ed25519, SHAKE256 with 512 bits of output for Ed448; SHA-256 otherwise.
    static func digest(for type: ExternalPKI.KeyType) -> (String, [String]) {
        switch type {
        case .ed25519: ("2.16.840.1.101.3.4.2.3", ["-sha512"])
        case .ed448: ("2.16.840.1.101.3.4.2.12", ["-shake256", "-xoflen", "64"])
        default: ("2.16.840.1.101.3.4.2.1", ["-sha256"])
        }
    }

    static func signatureOID(for type: ExternalPKI.KeyType) -> String {
        switch type {
        case .ed25519: "1.3.101.112"
        case .ed448: "1.3.101.113"
        case .rsa2048, .rsa1024: "1.2.840.113549.1.1.11"
        case .p256, .p521, .brainpoolP256r1, .brainpoolP384r1: "1.2.840.10045.4.3.2"
        }
    }

    private static func sign(_ message: [UInt8], _ signer: Signer) throws -> [UInt8] {
        let key = signer.leaf.key.path
        switch signer.type {
        case .ed25519, .ed448:
            return try ExternalPKI.shared.opensslFiles(["pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", "IN", "-out", "OUT"],
                                                       input: message)
        default:
            return try ExternalPKI.shared.opensslFiles(["dgst", "-sha256", "-sign", key, "-out", "OUT", "IN"], input: message)
        }
    }

    /// The certificate's subjectKeyIdentifier, as openssl prints it.
    static func subjectKeyIdentifier(_ leaf: ExternalPKI.Leaf) throws -> [UInt8] {
        let text = String(decoding: try ExternalPKI.openssl(["x509", "-in", leaf.certificate.path, "-noout", "-ext", "subjectKeyIdentifier"]),
                          as: UTF8.self)
        let hex = text.split(separator: "\n").last!.trimmingCharacters(in: .whitespaces).split(separator: ":")
        return hex.map { UInt8($0, radix: 16)! }
    }
}
