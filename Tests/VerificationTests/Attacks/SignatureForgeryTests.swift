import Foundation
import Testing
import Verification

/// Universal signature forgery (USF) and signature wrapping (SWA): every file FAILED, for the
/// right reason (the attacks are described in AttackFiles+Forgery.swift).
@Suite struct SignatureForgeryTests {
    @Test func victimIsValid() throws {
        #expect(AttackSupport.fixtures.trusted.verify(bytes: try AttackFiles.victim()).verdict == .passed)
        #expect(AttackSupport.fixtures.trusted.verify(bytes: try AttackFiles.timestampedVictim()).verdict != .failed)
    }

    @Test func usfNoContents() throws {
        AttackSupport.expectFailed(try AttackFiles.usfNoContents(), .badContents, mentioning: "no /Contents")
    }

    @Test func usfEmptyContents() throws {
        AttackSupport.expectFailed(try AttackFiles.usfEmptyContents(), .badContents, mentioning: "empty")
    }

    @Test func usfContentsNotCMS() throws {
        AttackSupport.expectFailed(try AttackFiles.usfContentsNotCMS(), .badCMS, mentioning: "not a CMS SignedData")
    }

    @Test func usfNoByteRange() throws {
        AttackSupport.expectFailed(try AttackFiles.usfNoByteRange(), .badByteRange, mentioning: "no /ByteRange")
    }

    @Test func usfShortByteRange() throws {
        AttackSupport.expectFailed(try AttackFiles.usfShortByteRange(), .badByteRange, mentioning: "has 3 numbers")
    }

    @Test func usfNegativeByteRange() throws {
        AttackSupport.expectFailed(try AttackFiles.usfNegativeByteRange(), .badByteRange, mentioning: "negative")
    }

    @Test func usfByteRangeOutOfBounds() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.usfByteRangeOutOfBounds(), .badByteRange, mentioning: "past the end of the file")
        // The report still shows the /ByteRange as written (four integers), unusable as it is.
        #expect(report.signatures.last?.byteRange?.count == 4, "\(report.text)")
    }

    @Test func usfByteRangeNotFromZero() throws {
        AttackSupport.expectFailed(try AttackFiles.usfByteRangeNotFromZero(), .badByteRange, mentioning: "not 0")
    }

    @Test func swaBytesHiddenInTheGap() throws {
        let bytes = try AttackFiles.swaBytesHiddenInTheGap()
        let report = AttackSupport.expectFailed(bytes, .wrappedSignature, mentioning: "sit in the unsigned gap")
        // The cryptography alone would pass: only the gap check catches it.
        #expect(report.codes.isDisjoint(with: [.digestMismatch, .badCMS, .badTimestamp]), "\(report.allReasons)")
    }

    @Test func swaSecondContentsToken() throws {
        AttackSupport.expectFailed(try AttackFiles.swaSecondContentsToken(), .malformedFile, mentioning: "repeats the key /Contents")
    }

    @Test func swaShiftedGapResigned() throws {
        let report = AttackSupport.expectFailed(try AttackFiles.swaShiftedGapResigned(), .wrappedSignature,
                                                mentioning: "not exactly the /Contents hex string")
        #expect(report.codes.isDisjoint(with: [.digestMismatch, .badCMS]), "\(report.allReasons)")
    }
}
