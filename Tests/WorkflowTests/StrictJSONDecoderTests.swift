import Foundation
import Testing
import InputChecks
@testable import Workflow

/// `StrictJSONDecoder`: a key the type never asks for is refused at any depth, with its path and
/// the key that was meant; everything else decodes as `JSONDecoder` decodes it.
@Suite struct StrictJSONDecoderTests {
    let decoder = StrictJSONDecoder(what: "an envelope request")

    func problem(_ json: String) -> String? {
        do {
            _ = try EnvelopeCreateBody.decode(Data(json.utf8))
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let recipient = #"{"name": "Ada", "email": "ada@example.com", "role": "signer""#

    @Test("an unknown key is named with its path and the closest key, at every depth", arguments: [
        (#"{"templateId": "t", "templateVersion": "1", "subject": "s", "recipients": [], "sned": true}"#,
         "sned is not a field of an envelope request; did you mean 'send'?"),
        (#"{"templateId": "t", "templateVersion": "1", "subject": "s", "recipients": [\#(recipient), "fields": [{"name": "a", "kind": "text", "requird": false}]}]}"#,
         "recipients[0].fields[0].requird is not a field of an envelope request; did you mean 'required'?"),
        (#"{"documents": [{"name": "a.pdf", "pdf": "JVBERg==", "fields": [], "textTag": false}], "subject": "s", "recipients": []}"#,
         "documents[0].textTag is not a field of an envelope request; did you mean 'textTags'?"),
        (#"{"documents": [{"name": "a.pdf", "pdf": "JVBERg==", "fields": [{"kind": "signature", "role": "r", "anchor": {"text": "Sign", "offsetx": 2}}]}], "subject": "s", "recipients": []}"#,
         "documents[0].fields[0].anchor.offsetx is not a field of an envelope request; did you mean 'offsetX'?"),
        (#"{"templateId": "t", "templateVersion": "1", "subject": "s", "recipients": [], "reminders": {"interval": 3600, "maximum": 2, "every": 1}}"#,
         "reminders.every is not a field of an envelope request; its fields are interval, maximum"),
    ])
    func unknownKeys(json: String, expected: String) {
        #expect(problem(json) == expected)
    }

    @Test("a key given twice in one object is refused with its path, however it is spelled", arguments: [
        (#"{"templateId": "t", "templateVersion": "1", "subject": "s", "subject": "t", "recipients": []}"#, "subject"),
        (#"{"templateId": "t", "templateVersion": "1", "subject": "s", "recipients": [\#(recipient)}, {"name": "B", "email": "a@b.c", "em\u0061il": "x@b.c", "role": "signer"}]}"#,
         "recipients[1].email"),
        // Canonically equivalent spellings are one key to a Swift dictionary, so one key here.
        (#"{"templateId": "t", "templateVersion": "1", "subject": "s", "recipients": [], "metadata": {"caf\u00e9": "1", "cafe\u0301": "2"}}"#,
         "metadata.café"),
    ])
    func repeatedKeys(json: String, path: String) {
        #expect(problem(json) == "\(path) is given twice in one object of an envelope request; give each field once")
    }

    @Test func aCommaBeforeAClosingBraceIsRefusedWhereItIs() {
        // Foundation's decoder accepts `{"a": 1,}`; JSON does not, and neither does this.
        #expect(problem("{\"templateId\": \"t\",\n \"subject\": \"s\",\n}")
                == "an envelope request has a comma before '}' at line 2, column 16; JSON allows none there: remove it")
        #expect(RepeatedJSONKeys.scan(Data(#"{"a": [1, {"b": 2,}]}"#.utf8)) == .trailingComma(offset: 17, line: 1, column: 18))
        #expect(RepeatedJSONKeys.scan(Data(#"{"a": "x,}", "b": {}}"#.utf8)) == nil)
    }

    @Test func sameKeysInDifferentObjectsAndTextThatIsNotJSONAreNotRepeats() {
        #expect(RepeatedJSONKeys.first(in: Data(#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "s": "\"a\": 1, \"a\": 2"}"#.utf8)) == nil)
        #expect(RepeatedJSONKeys.first(in: Data(##"{"a": 1, "a""##.utf8)) == "a")
        #expect(RepeatedJSONKeys.first(in: Data(#"{"a" 1, "a": 2}"#.utf8)) == nil)
        #expect(RepeatedJSONKeys.first(in: Data((String(repeating: "[", count: 600) + String(repeating: "]", count: 600)).utf8)) == nil)
    }

    @Test func aBulkJSONLinesRowWithARepeatedFieldIsRejectedNotHalfRead() {
        guard case .failure(let rejection) = WorkflowEngine.jsonRow(Array(#"{"email": "a@x.io", "name": "A", "email": "b@x.io"}"#.utf8), row: 7) else {
            Issue.record("the row was accepted")
            return
        }
        #expect(rejection.row == 7 && rejection.error == "the field email is given twice; give each field once")
        guard case .success(let fields) = WorkflowEngine.jsonRow(Array(#"{"email": "a@x.io", "n": 2}"#.utf8), row: 8) else {
            Issue.record("a good row was rejected")
            return
        }
        #expect(fields == ["email": "a@x.io", "n": "2"])
    }

    @Test func aMisspelledRequiredKeyIsNamedAsTheMisspelling() {
        // Without this, the message would be "email is missing" while the e-mail is right there.
        let json = #"{"templateId": "t", "templateVersion": "1", "subject": "s", "recipients": [{"name": "Ada", "emial": "a@b.c", "role": "signer"}]}"#
        #expect(problem(json) == "recipients[0].emial is not a field of an envelope request; did you mean 'email'?")
        // A missing key with no close unknown key is still a missing key.
        do {
            _ = try EnvelopeCreateBody.decode(Data(#"{"templateId": "t", "templateVersion": "1", "recipients": []}"#.utf8))
            Issue.record("decoded without a subject")
        } catch let DecodingError.keyNotFound(key, _) {
            #expect(key.stringValue == "subject")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func knownKeysDecodeAsJSONDecoderDecodesThem() throws {
        let json = #"""
            {"documents": [{"name": "a.pdf", "pdf": "JVBERi0xLjc=", "textTags": false,
                            "fields": [{"kind": "dropdown", "role": "customer", "options": ["a", "b"], "position": {"page": 1, "x": 72, "y": 90}}]}],
             "subject": "s", "message": null, "data": {"any key": "is data", "other": "too"}, "metadata": {"lead": "7"},
             "recipients": [{"name": "Ada", "email": "ada@example.com", "role": "signer", "routingOrder": 2, "authentication": "link"}],
             "reminders": {"interval": 7200, "maximum": 1}, "send": true}
            """#
        let strict = try EnvelopeCreateBody.decode(Data(json.utf8))
        let plain = try JSONDecoder().decode(EnvelopeCreateBody.self, from: Data(json.utf8))
        #expect(strict.documents == plain.documents)
        #expect(strict.documents?.first?.pdf == Data("%PDF-1.7".utf8))
        #expect(strict.data == ["any key": "is data", "other": "too"] && strict.metadata == plain.metadata)
        #expect(strict.recipients.first?.routingOrder == 2 && strict.reminders?.interval == 7200 && strict.send == true)
        #expect(strict.message == nil)
        // A document whose fields all come from text tags may leave `fields` out.
        let tagged = try EnvelopeCreateBody.decode(Data(#"{"documents": [{"name": "a.pdf", "pdf": "JVBERg=="}], "subject": "s", "recipients": []}"#.utf8))
        #expect(tagged.documents?.first?.fields == [] && tagged.documents?.first?.textTags == nil)
    }

    /// The decoding error of `json` as people read it; nil when it decodes, or fails otherwise.
    func decodingProblem(_ json: String) -> String? {
        do {
            _ = try EnvelopeCreateBody.decode(Data(json.utf8))
            return nil
        } catch let error as DecodingError {
            return DecodingProblem.describe(error)
        } catch {
            return nil
        }
    }

    @Test func wrongValuesAreStillDecodingErrorsWithTheirPaths() {
        #expect(decodingProblem(#"{"templateId": "t", "templateVersion": 3, "subject": "s", "recipients": []}"#)
                == "templateVersion: expected text (a JSON string in quotes) but found number")
        // JSONDecoder says "The given data was not valid JSON", with no path, for these.
        for (number, found) in [("1.5", "1.5"), ("99999999999999999999", "1e+20")] {
            let json = #"{"templateId": "t", "templateVersion": "3", "subject": "s", "recipients": [\#(Self.recipient), "routingOrder": \#(number)}]}"#
            #expect(decodingProblem(json) == "recipients[0].routingOrder: expected a whole number but found \(found)")
        }
        // A field kind that is not one lists the kinds, and the one meant.
        let kind = decodingProblem(#"{"documents": [{"name": "a.pdf", "pdf": "JVBERg==", "fields": [{"name": "s", "kind": "signiture", "role": "c"}]}], "subject": "s", "recipients": []}"#)
        #expect(kind?.contains(#""signiture" is not an allowed value; expected "signature", "initials""#) == true
                && kind?.contains(#"(did you mean "signature"?)"#) == true, "\(kind ?? "decoded")")
        let base64 = decodingProblem(#"{"documents": [{"name": "a.pdf", "pdf": "not base64!"}], "subject": "s", "recipients": []}"#)
        #expect(base64?.hasPrefix("documents[0].pdf: is not valid base64") == true, "\(base64 ?? "decoded")")
        let null = decodingProblem(#"{"templateId": "t", "templateVersion": "3", "subject": "s", "recipients": [null]}"#)
        #expect(null?.hasPrefix("recipients[0]: expected") == true, "\(null ?? "decoded")")
    }

    @Test func aTypeWithNoFieldsSaysSo() {
        struct Empty: Decodable {}
        do {
            _ = try decoder.decode(Empty.self, from: Data(#"{"x": 1}"#.utf8))
            Issue.record("an unknown key was accepted")
        } catch {
            #expect("\(error)" == "x is not a field of an envelope request; it takes no fields")
        }
    }
}
