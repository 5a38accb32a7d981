import Foundation
import TestSupport
import Testing

/// `scripts/install --prefix DIR` and a binary that finds its resources relative to itself: the
/// installed tree, moved elsewhere and run from another directory with no COUNTERSIGN_* variables,
/// does the whole job — demo, render, generate, sign and verify.
@Suite(.serialized) struct InstallTests {
    /// Runs `program arguments` in `directory` with the resource variables removed.
    private func run(_ program: String, _ arguments: [String], in directory: URL) throws -> CommandResult {
        try runCommand("/bin/sh", ["-c", "cd \"$1\" && shift && exec env -u COUNTERSIGN_HOME -u COUNTERSIGN_FONTS \"$@\"", "sh",
                                   directory.path, program] + arguments, timeout: 300)
    }

    @Test func anInstalledTreeMovedAwayFromTheCheckoutDoesTheWholeJob() throws {
        let scratch = try TestEnvironment.scratchDirectory()
        let staging = scratch.appendingPathComponent("staging")
        let install = try runCommand(TestEnvironment.root.appendingPathComponent("scripts/install").path,
                                     ["--prefix", staging.path, "--binary", TestEnvironment.countersignExecutable.path])
        #expect(install.status == 0, "\(install.stderr)")
        for path in ["bin/countersign", "share/countersign/Fonts/Liberation/LICENSE", "share/countersign/Templates/clauses",
                     "share/countersign/Fixtures/leads.csv", "share/countersign/Fixtures/audit-events.json",
                     "share/countersign/Fixtures/nda.pdf"] {
            #expect(FileManager.default.fileExists(atPath: staging.appendingPathComponent(path).path), "\(path)")
        }
        // Moved after installing: nothing may point back at the checkout or the install location.
        let prefix = scratch.appendingPathComponent("moved/prefix")
        try FileManager.default.createDirectory(at: prefix.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: staging, to: prefix)
        let work = scratch.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let binary = prefix.appendingPathComponent("bin/countersign").path
        let share = prefix.appendingPathComponent("share/countersign")

        let demo = try run(binary, ["demo", "--out", "demo", "--rows", "2", "--jobs", "1"], in: work)
        #expect(demo.status == 0, "\(demo.stdout) \(demo.stderr)")
        #expect(demo.stdout.contains("verified 2 of 2: PASSED"))

        let template = share.appendingPathComponent("Templates/service-agreement.xml").path
        let leads = share.appendingPathComponent("Fixtures/leads.csv").path
        let render = try run(binary, ["render", template, "--csv", leads, "--row", "1", "--out", "one.pdf"], in: work)
        #expect(render.status == 0, "\(render.stderr)")
        let generate = try run(binary, ["generate", template, "--csv", leads, "--out", "batch", "--quiet", "--jobs", "1"], in: work)
        #expect(generate.status <= 1, "\(generate.stderr)")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("batch/manifest.jsonl").path))

        let keys = ["--p12", "demo/dev-ca/signer.p12", "--password-file", "demo/dev-ca/signer.pass"]
        let visible = try run(binary, ["sign", "one.pdf", "--out", "signed.pdf", "--field", "sig_customer", "--quiet"] + keys, in: work)
        #expect(visible.status == 0, "\(visible.stderr)")
        let verify = try run(binary, ["verify", "--trust", "demo/dev-ca/ca.pem", "signed.pdf"], in: work)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")

        // Without the fonts: typesetting is a clear "missing" error (66, never 70), while an
        // invisible signature, which draws nothing, still works.
        try FileManager.default.removeItem(at: share.appendingPathComponent("Fonts"))
        let noFonts = try run(binary, ["render", template, "--csv", leads, "--row", "1", "--out", "two.pdf"], in: work)
        #expect(noFonts.status == 66, "\(noFonts.stderr)")
        #expect(noFonts.stderr.contains("Fonts") && noFonts.stderr.contains("COUNTERSIGN_HOME"), "\(noFonts.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("two.pdf").path))
        let invisible = try run(binary, ["sign", "one.pdf", "--out", "sealed.pdf", "--invisible", "--quiet"] + keys, in: work)
        #expect(invisible.status == 0, "\(invisible.stderr)")
        let demoAgain = try run(binary, ["demo", "--out", "demo2", "--rows", "1"], in: work)
        #expect(demoAgain.status == 66, "\(demoAgain.stderr)")

        // COUNTERSIGN_HOME names another copy of the resources.
        let home = try runCommand("/bin/sh", ["-c", "cd \"$1\" && COUNTERSIGN_HOME=\"$2\" \"$3\" render \"$4\" --csv \"$5\" --row 1 --out three.pdf",
                                              "sh", work.path, TestEnvironment.root.path, binary, template, leads])
        #expect(home.status == 0, "\(home.stderr)")
    }
}
