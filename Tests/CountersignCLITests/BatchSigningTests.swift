import Foundation
import TestSupport
import Testing

/// `sign --in DIR`: per-document audit events (never one envelope stamped into every document),
/// events checked against the document, and an output folder that is never silently overwritten.
@Suite(.serialized) struct BatchSigningTests {
    static let fixture = try! CLIFixture("batch-signing")

    /// A folder with two copies of the contract, as two companies' documents.
    private func inputs(_ label: String) throws -> URL {
        let directory = Self.fixture.directory.appendingPathComponent(label)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["acme", "ibérica"] {
            try FileManager.default.copyItem(at: Self.fixture.contract, to: directory.appendingPathComponent("\(name).pdf"))
        }
        return directory
    }

    private func eventsJSON(envelope: String, signer: String, role: String = "customer", types: [String] = ["viewed", "consented", "signed"],
                        times: [String] = ["2026-03-02T14:05:09Z", "2026-03-02T14:06:30Z", "2026-03-02T14:07:52Z"]) -> String {
        let list = zip(types, times).map { "{\"type\":\"\($0)\",\"at\":\"\($1)\"}" }.joined(separator: ",")
        return #"{"envelopeId":"\#(envelope)","documentName":"Contract","signers":[{"name":"\#(signer)","email":"x@example.com","role":"\#(role)","authentication":"Email OTP","events":[\#(list)]}]}"#
    }

    private func embeddedAudit(_ file: URL) throws -> String {
        let result = try runCommand("qpdf", ["--show-attachment=audit.json", file.path])
        return result.stdout
    }

    @Test func oneEventsFileForManyDocumentsIsRefused() throws {
        let input = try inputs("single-file")
        let events = Self.fixture.directory.appendingPathComponent("one.json")
        try Data(eventsJSON(envelope: "env_A", signer: "Ana").utf8).write(to: events)
        let out = Self.fixture.directory.appendingPathComponent("single-file-out")
        let result = try countersign(["sign", "--in", input.path, "--out", out.path, "--invisible", "--audit", events.path, "--quiet"]
                                     + Self.fixture.keyArguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains("same envelope") && result.stderr.contains("\"document\""), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func eachDocumentGetsItsOwnEventsFromADirectoryOrJSONLines() throws {
        let input = try inputs("per-document")
        let directory = Self.fixture.directory.appendingPathComponent("events")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(eventsJSON(envelope: "env_ACME", signer: "Alice Acme").utf8).write(to: directory.appendingPathComponent("acme.json"))
        try Data(eventsJSON(envelope: "env_IBERICA", signer: "Inés Ibérica").utf8).write(to: directory.appendingPathComponent("ibérica.json"))
        let out = Self.fixture.directory.appendingPathComponent("per-document-out")
        let result = try countersign(["sign", "--in", input.path, "--out", out.path, "--invisible", "--audit", directory.path, "--quiet"]
                                     + Self.fixture.keyArguments)
        #expect(result.status == 0, "\(result.stderr)")
        let acme = try embeddedAudit(out.appendingPathComponent("acme.pdf"))
        let iberica = try embeddedAudit(out.appendingPathComponent("ibérica.pdf"))
        #expect(acme.contains("env_ACME") && !acme.contains("env_IBERICA"))
        #expect(iberica.contains("env_IBERICA") && iberica.contains("Inés Ibérica") && !iberica.contains("Alice"))

        let lines = Self.fixture.directory.appendingPathComponent("events.jsonl")
        let text = [("acme.pdf", "env_L1"), ("ibérica.pdf", "env_L2")].map { name, envelope in
            eventsJSON(envelope: envelope, signer: "S").replacingOccurrences(of: "{\"envelopeId\"", with: "{\"document\":\"\(name)\",\"envelopeId\"")
        }.joined(separator: "\n")
        try Data(text.utf8).write(to: lines)
        let linesOut = Self.fixture.directory.appendingPathComponent("jsonl-out")
        let second = try countersign(["sign", "--in", input.path, "--out", linesOut.path, "--invisible", "--audit", lines.path, "--quiet"]
                                     + Self.fixture.keyArguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try embeddedAudit(linesOut.appendingPathComponent("ibérica.pdf")).contains("env_L2"))

        // The same JSON Lines on standard input (`--audit -`).
        let stdinOut = Self.fixture.directory.appendingPathComponent("jsonl-stdin-out")
        let third = try countersign(["sign", "--in", input.path, "--out", stdinOut.path, "--invisible", "--audit", "-", "--quiet"]
                                    + Self.fixture.keyArguments, input: Data(text.utf8))
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try embeddedAudit(stdinOut.appendingPathComponent("acme.pdf")).contains("env_L1"))
        #expect(try embeddedAudit(stdinOut.appendingPathComponent("ibérica.pdf")).contains("env_L2"))
    }

    @Test func eventsThatDoNotFitTheDocumentAreRefusedWithEveryProblem() throws {
        let f = Self.fixture
        let events = f.directory.appendingPathComponent("wrong.json")
        try Data(eventsJSON(envelope: "env_X", signer: "Other Company", role: "buyer", types: ["viewed", "signd", "signed"],
                        times: ["2026-03-02T14:05:09Z", "2026-03-02T14:06:30Z", "2026-03-02T14:01:00Z"]).utf8).write(to: events)
        let result = try countersign(["sign", f.contract.path, "--out", f.directory.appendingPathComponent("x.pdf").path,
                                      "--invisible", "--audit", events.path] + f.keyArguments)
        #expect(result.status == 65)
        #expect(result.stderr.contains("'signd' is not one of"), "\(result.stderr)")
        #expect(result.stderr.contains("events[2].at 2026-03-02T14:01:00Z is before"), "\(result.stderr)")
        // Well-formed events for another document: the role names no field of this one.
        try Data(eventsJSON(envelope: "env_X", signer: "Other Company", role: "buyer").utf8).write(to: events)
        let mismatch = try countersign(["sign", f.contract.path, "--out", f.directory.appendingPathComponent("x.pdf").path,
                                        "--invisible", "--audit", events.path] + f.keyArguments)
        #expect(mismatch.status == 65)
        #expect(mismatch.stderr.contains("role 'buyer' names no signature field") && mismatch.stderr.contains("sig_customer"),
                "\(mismatch.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.directory.appendingPathComponent("x.pdf").path))
    }

    @Test func anExistingOutputFolderNeedsResumeOrForce() throws {
        let input = try inputs("existing")
        let out = Self.fixture.directory.appendingPathComponent("existing-out")
        let arguments = ["sign", "--in", input.path, "--out", out.path, "--invisible", "--quiet"] + Self.fixture.keyArguments
        #expect(try countersign(arguments).status == 0)
        let manifest = try String(contentsOf: out.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        #expect(manifest.hasPrefix("{\"row\":1,\"file\":\"acme.pdf\",\"input\":\"acme.pdf\",\"bytes\":"), "\(manifest)")
        let before = try Data(contentsOf: out.appendingPathComponent("acme.pdf"))

        let again = try countersign(arguments)
        #expect(again.status == 64 && again.stderr.contains("--resume") && again.stderr.contains("--force"), "\(again.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("acme.pdf")) == before)

        // --resume keeps what still matches the manifest and signs what does not.
        try Data("damaged".utf8).write(to: out.appendingPathComponent("ibérica.pdf"))
        let resumed = try countersign(arguments + ["--resume", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: resumed.stdoutData) as? [String: Any])
        #expect(summary["kept"] as? Int == 1 && summary["signed"] as? Int == 1, "\(summary)")
        #expect(try Data(contentsOf: out.appendingPathComponent("acme.pdf")) == before)
        #expect(try Data(contentsOf: out.appendingPathComponent("ibérica.pdf")).starts(with: Data("%PDF".utf8)))

        #expect(try countersign(arguments + ["--force"]).status == 0)
        let same = try countersign(["sign", "--in", input.path, "--out", input.path + "/", "--invisible", "--force"] + Self.fixture.keyArguments)
        #expect(same.status == 64 && same.stderr.contains("input directory"), "\(same.stderr)")
    }
}
