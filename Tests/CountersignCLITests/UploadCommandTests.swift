import Foundation
import TestSupport
import Testing

/// docs/workflow.md's uploaded-document request, run through `countersign envelope create`: the
/// PDF named by `"file"` is read beside the request, its fields placed, the envelope sent.
@Suite struct UploadCommandTests {
    @Test func theDocumentedUploadRequestCreatesAnEnvelope() throws {
        let document = try String(contentsOf: WorkflowCommandTests.docs, encoding: .utf8)
        let section = try #require(document.components(separatedBy: "### Uploaded documents").dropFirst().first)
        let request = try #require(section.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let home = try TestEnvironment.scratchDirectory()
        try Data(request.utf8).write(to: home.appendingPathComponent("request.json"))
        // The NDA the docs point to, beside the request as they say.
        #expect(section.contains("copy `Fixtures/nda.pdf`"))
        try FileManager.default.copyItem(at: TestEnvironment.fixtures.appendingPathComponent("nda.pdf"),
                                         to: home.appendingPathComponent("nda.pdf"))

        let tests = WorkflowCommandTests()
        let account = try tests.countersign(["account", "create", "--name", "Northbeam"], home: home)
        let key = try #require((try JSONSerialization.jsonObject(with: account.stdoutData) as? [String: Any])?["key"] as? String)
        let created = try tests.countersign(["envelope", "create", "--request", home.appendingPathComponent("request.json").path, "--send"],
                                            home: home, key: key)
        #expect(created.status == 0, "\(created.stderr)")
        let envelope = try #require(try JSONSerialization.jsonObject(with: created.stdoutData) as? [String: Any])
        #expect(envelope["template"] is NSNull)
        #expect((envelope["documents"] as? [[String: Any]])?.count == 1)
        #expect((envelope["recipients"] as? [[String: Any]])?.map { $0["state"] as? String } == ["sent", "created"])

        // The same request with an anchor the PDF does not have: refused, naming document and field.
        let broken = request.replacingOccurrences(of: "Date of signature", with: "Witness signature")
        try Data(broken.utf8).write(to: home.appendingPathComponent("broken.json"))
        let refused = try tests.countersign(["envelope", "create", "--request", home.appendingPathComponent("broken.json").path],
                                            home: home, key: key)
        #expect(refused.status != 0 && refused.stderr.contains("nda.pdf") && refused.stderr.contains("signed_on"), "\(refused.stderr)")
    }
}
