import CountersignCrypto
import Foundation
import Signing
import Testing
import TestSupport
import Verification

/// `verify --report etsi-xml` judged by the ETSI TS 119 102-2 schema (pyHanko's xsdata bindings of
/// ETSI's XSD, `scripts/lib/etsi_report_judge.py`): every verdict's report is valid — passed,
/// indeterminate, failed, B-T with a best-signature time, two signatures, a file with none — and
/// the judge itself refuses what the schema refuses.
@Suite struct ETSIReportSchemaTests {
    private let fixtures = VerificationFixtures.shared

    @Test func everyVerdictsReportIsValidAgainstTheSchema() throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"), audit: try fixtures.auditTrail())
        let timestamped = try fixtures.sign(fixtures.contract, .field("sig_customer"), profile: .padesBT)
        let withTSA = PDFVerifier(trustAnchors: [fixtures.ca.certificate]
                                  + (try Certificate.load(pem: try Data(contentsOf: try fixtures.tsa.rootCertificate))))
        let twice = try fixtures.sign(signed, .field("sig_company"), signer: "Second Signer")
        var tampered = signed
        let marker = Array("/Type /Page".utf8)
        let offset = try #require((0..<(tampered.count - marker.count)).first { Array(tampered[$0..<$0 + marker.count]) == marker })
        tampered[offset + 1] = UInt8(ascii: "X")  // inside the signed bytes
        let cases: [(String, VerificationReport, Verdict)] = [
            ("passed", fixtures.trusted.verify(bytes: signed), .passed),
            ("indeterminate: no trust anchor", fixtures.untrusted.verify(bytes: signed), .indeterminate),
            ("failed: changed after signing", fixtures.trusted.verify(bytes: tampered), .failed),
            ("B-T: best-signature time from the timestamp", withTSA.verify(bytes: timestamped), .passed),
            ("two signatures", fixtures.trusted.verify(bytes: twice), .passed),
        ]
        for (name, report, verdict) in cases {
            #expect(report.verdict == verdict, "\(name): \(report.text)")
            let xml = try #require(report.etsiXML, "\(name)")
            let problem = try ETSIReportJudge.problem(in: xml)
            #expect(problem == nil, "\(name)")
        }
        // A file with no signature has no report: the schema's holds at least one signature.
        #expect(fixtures.trusted.verify(bytes: fixtures.contract).etsiXML == nil)
    }

    /// The judge fails on purpose: a required element removed, two children swapped, an element
    /// the schema does not know — each named.
    @Test(arguments: [
        ("required", "BestSignatureTime"),
        ("order", "SignatureValidationStatus"),
        ("unknown", "CountersignVerdict"),
    ])
    func theJudgeRefusesWhatTheSchemaRefuses(kind: String, element: String) throws {
        let signed = try fixtures.sign(fixtures.contract, .field("sig_customer"))
        var xml = try #require(fixtures.trusted.verify(bytes: signed).etsiXML)
        switch kind {
        case "required":
            let start = try #require(xml.range(of: "<BestSignatureTime>")), end = try #require(xml.range(of: "</BestSignatureTime>"))
            xml.removeSubrange(start.lowerBound..<end.upperBound)
        case "order":
            // The status moved in front of the validation process it must follow.
            let process = try #require(xml.range(of: "<SignatureValidationProcess>"))
            let start = try #require(xml.range(of: "<SignatureValidationStatus>")), end = try #require(xml.range(of: "</SignatureValidationStatus>"))
            let status = String(xml[start.lowerBound..<end.upperBound])
            xml.removeSubrange(start.lowerBound..<end.upperBound)
            xml.insert(contentsOf: status, at: process.lowerBound)
        default:
            // Inside the status, which (unlike the signature's report) has no wildcard.
            let close = try #require(xml.range(of: "</SignatureValidationStatus>"))
            xml.insert(contentsOf: "<CountersignVerdict>PASSED</CountersignVerdict>", at: close.lowerBound)
        }
        let problem = try #require(try ETSIReportJudge.problem(in: xml), "the judge accepted a report with a \(kind) fault")
        #expect(problem.contains(element), "\(problem)")
    }
}
