import Foundation
import PDFSyntax
import TestSupport
import Testing

/// poppler-glib, glib, cairo, pango, fontconfig, harfbuzz, libcrypto and libxml2 are loaded on
/// first use, not at start (Sources/LazySystemLibraries). These tests catch a call site added without a forwarder: the
/// executable would then import the function directly and load the library at every start.
@Suite struct LazyLoadingTests {
    /// The lazily-loaded libraries' SONAMEs, read from the loader so the two cannot drift apart.
    private static func lazySonames() throws -> [String] {
        let loader = TestEnvironment.root.appendingPathComponent("Sources/LazySystemLibraries/LazyLoader.c")
        let text = try String(contentsOf: loader, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\{"(lib[^"]+\.so\.[0-9]+)", "lib[^"]+\.so"\}"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// The path of a library by SONAME, from the dynamic linker's cache.
    private static func libraryPath(_ soname: String) throws -> String? {
        let cache = try runCommand("/sbin/ldconfig", ["-p"])
        for line in cache.stdout.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix(soname + " ") {
            if let arrow = line.range(of: "=> ") { return String(line[arrow.upperBound...]) }
        }
        return nil
    }

    private static func symbols(_ arguments: [String]) throws -> Set<String> {
        let result = try runCommand("nm", arguments)
        #expect(result.status == 0, "nm \(arguments.joined(separator: " ")): \(result.stderr)")
        return Set(result.stdout.split(separator: "\n").compactMap { line in
            line.split(separator: " ").last.map { String($0.split(separator: "@").first ?? $0) }
        })
    }

    private var executable: String { TestEnvironment.countersignExecutable.path }

    @Test func theExecutableDoesNotNeedTheLazyLibraries() throws {
        let sonames = try Self.lazySonames()
        #expect(sonames.count >= 8, "LazyLoader.c lists \(sonames)")
        let dynamic = try runCommand("readelf", ["-d", executable])
        #expect(dynamic.status == 0, "readelf -d: \(dynamic.stderr)")
        let needed = dynamic.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty, "readelf found no NEEDED entries in \(executable)")
        for soname in sonames {
            #expect(!needed.contains { $0.contains("[\(soname)]") },
                    "\(executable) still lists \(soname) as NEEDED: some function of it is linked directly. The next test names it.")
        }
    }

    @Test func everyLazyLibraryFunctionGoesThroughAForwarder() throws {
        let imported = try Self.symbols(["-D", "--undefined-only", executable])
        #expect(!imported.isEmpty, "nm found no imported symbols in \(executable)")
        var direct: [(symbol: String, soname: String)] = []
        for soname in try Self.lazySonames() {
            let path = try #require(try Self.libraryPath(soname), "ldconfig -p does not list \(soname)")
            let exported = try Self.symbols(["-D", "--defined-only", path])
            direct += imported.intersection(exported).sorted().map { ($0, soname) }
        }
        guard !direct.isEmpty else { return }
        // One run of the generator for all of them: it prints each forwarder line to add.
        let generator = try? runCommand(TestEnvironment.root.appendingPathComponent("scripts/lazy-forwarder").path,
                                        direct.map(\.symbol))
        let lines = (generator?.stdout ?? "").split(separator: "\n").map(String.init)
        for (symbol, soname) in direct {
            let file = soname.hasPrefix("libcrypto") ? "ForwardersOpenSSL.c"
                : soname.hasPrefix("libxml2") ? "ForwardersLibXML2.c" : "Forwarders.c"
            let line = lines.first { $0.contains(", \(symbol), (") }
            Issue.record("""
                countersign calls \(symbol) from \(soname) directly, so the library loads at every start. \
                Add its forwarder to Sources/LazySystemLibraries/\(file): \
                \(line ?? "scripts/lazy-forwarder \(symbol) prints it (\(generator?.stderr ?? "the script did not run"))").
                """)
        }
    }

    @Test func inspectLoadsNoneOfThemAndFindTextLoadsPopplerOnDemand() throws {
        let directory = try TestEnvironment.scratchDirectory()
        var objects: [PDFReference: PDFObject] = [:]
        let content = Array("BT /F1 12 Tf 72 720 Td (Lazy hello) Tj ET".utf8)
        objects[PDFReference(1)] = .dictionary(["Type": .name("Catalog"), "Pages": .reference(PDFReference(2))])
        objects[PDFReference(2)] = .dictionary(["Type": .name("Pages"), "Kids": [.reference(PDFReference(3))], "Count": 1])
        objects[PDFReference(3)] = .dictionary([
            "Type": .name("Page"), "Parent": .reference(PDFReference(2)), "MediaBox": [0, 0, 612, 792],
            "Contents": .reference(PDFReference(4)),
            "Resources": .dictionary(["Font": .dictionary(["F1": .reference(PDFReference(5))])]),
        ])
        objects[PDFReference(4)] = .stream(PDFStream(dictionary: ["Length": .integer(content.count)], encodedData: content))
        objects[PDFReference(5)] = .dictionary(["Type": .name("Font"), "Subtype": .name("Type1"),
                                                "BaseFont": .name("Helvetica")])
        let bytes = PDFFileWriter().write(objects: objects, trailer: ["Root": .reference(PDFReference(1))])
        let file = directory.appendingPathComponent("lazy.pdf")
        try Data(bytes).write(to: file)
        let sonames = try Self.lazySonames()

        let plain = try runCommand(executable, ["inspect", "--json", file.path], environment: ["LD_DEBUG": "files"])
        #expect(plain.status == 0, "\(plain.stderr)")
        for soname in sonames {
            #expect(!plain.stderr.contains("file=\(soname)"), "inspect --json loaded \(soname)")
        }

        let finding = try runCommand(executable, ["inspect", "--json", "--find-text", "Lazy hello", file.path],
                                     environment: ["LD_DEBUG": "files"])
        #expect(finding.status == 0, "\(finding.stderr)")
        #expect(finding.stderr.contains("file=libpoppler-glib.so"), "--find-text did not load poppler-glib")
        let report = try JSONSerialization.jsonObject(with: finding.stdoutData) as? [String: Any]
        let matches = report?["textMatches"] as? [[String: Any]]
        #expect(matches?.count == 1 && matches?.first?["page"] as? Int == 1, "\(finding.stdout)")
    }
}
