import CountersignCrypto
import Foundation
import TestSupport
import Testing
@testable import Verification

/// docs/verification.md's algorithm-policy table is the policy the verifier applies.
@Suite struct AlgorithmPolicyDocumentationTests {
    enum Probe {
        case hash(HashAlgorithm)
        case key(String, Int)
    }

    /// Each documented row, the algorithms and keys it speaks of, and its date.
    static let rows: [(row: String, probes: [Probe], until: String)] = [
        ("MD5", [.hash(.md5)], "2004-12-31"),
        ("SHA-1 (digest, signature hash, the `adbe.pkcs7.sha1` binding)", [.hash(.sha1)], "2009-12-31"),
        ("RSA or DSA key below 1024 bits", [.key("RSA", 512), .key("DSA", 1000)], "never"),
        ("RSA or DSA key of 1024–1535 bits", [.key("RSA", 1024), .key("RSA-PSS", 1535), .key("DSA", 1024)], "2009-12-31"),
        ("RSA or DSA key of 1536–2047 bits", [.key("RSA", 1536), .key("RSA", 2047)], "2016-12-31"),
        ("elliptic-curve key below 160 bits", [.key("EC", 112)], "never"),
        ("elliptic-curve key of 160–249 bits (P-192, P-224, brainpoolP224r1, …)", [.key("EC", 192), .key("EC", 224)], "2016-12-31"),
        ("SHA-224, SHA-256/384/512, SHA3-256/384/512, SHAKE256; RSA and DSA ≥ 2048 bits; EC ≥ 250 bits; Ed25519, Ed448",
         [.hash(.sha224), .hash(.sha256), .hash(.sha512), .hash(.sha3_256), .hash(.shake256), .key("RSA", 2048), .key("DSA", 3072),
          .key("EC", 256), .key("EC", 521), .key("ED25519", 256), .key("ED448", 456)], "no end date"),
    ]

    @Test func policyTableIsThePolicyApplied() throws {
        let text = try String(contentsOf: TestEnvironment.root.appendingPathComponent("docs/verification.md"), encoding: .utf8)
        let section = try #require(text.range(of: "### Algorithm policy"))
        let table = text[section.upperBound...].split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
            .dropFirst(2).map { line in line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(table == Self.rows.map { [$0.row, $0.until] })
        for (row, probes, until) in Self.rows {
            for probe in probes {
                let sunset = switch probe {
                case .hash(let hash): AlgorithmPolicy.sunset(of: hash)
                case .key(let type, let bits): AlgorithmPolicy.sunset(keyType: type, bits: bits)
                }
                let actual = sunset.map { $0.lastAcceptable.map { String(ReportTime.iso($0).prefix(10)) } ?? "never" } ?? "no end date"
                #expect(actual == until, "\(row): \(probe)")
            }
        }
    }
}
