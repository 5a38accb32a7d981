import Foundation
import PDFSyntax
import Testing
import Verification

/// Shared by the attack suites: a signed file to attack and the expectation every attack must meet.
enum AttackSupport {
    static var fixtures: VerificationFixtures { .shared }

    /// The attacked file is FAILED, for the reason `code`, whose text mentions `mentioning`.
    @discardableResult
    static func expectFailed(_ bytes: [UInt8], _ code: VerificationIssue.Code, mentioning text: String? = nil,
                             sourceLocation: SourceLocation = #_sourceLocation) -> VerificationReport {
        let report = fixtures.trusted.verify(bytes: bytes)
        #expect(report.verdict == .failed, "\(report.text)", sourceLocation: sourceLocation)
        #expect(report.codes.contains(code), "expected \(code): \(report.allReasons)", sourceLocation: sourceLocation)
        if let text {
            let reasons = report.allReasons + " " + report.signatures.flatMap(\.modifications).map(\.description).joined(separator: " ")
            #expect(reasons.contains(text), "expected '\(text)' in: \(reasons)", sourceLocation: sourceLocation)
        }
        // Without trust the verdict is no better: structure failures do not depend on trust.
        #expect(fixtures.untrusted.verify(bytes: bytes).verdict == .failed, sourceLocation: sourceLocation)
        return report
    }
}
