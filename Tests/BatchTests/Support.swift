import Batch
import CountersignCrypto
import Foundation
import Templates
import TestSupport
import Testing

/// A one-page template small enough that a batch of a few dozen rows takes a second or two.
enum BatchFixtures {
    static let templateSource = """
    <template xmlns="urn:countersign:template:1" id="batch-test" version="1" page="a4" margin="20mm"
              title="Order {{order_id}}">
      <fields>
        <field name="order_id" type="text" required="true" pattern="[A-Z]{2}-[0-9]+"/>
        <field name="company_name" type="text" required="true" max="120"/>
        <field name="contact_email" type="email" required="true"/>
        <field name="signed_on" type="date" required="true" format='date:"long"'/>
        <field name="seats" type="integer" min="1" default="1"/>
        <field name="unit_price" type="money" min="0"/>
        <field name="region" type="text"/>
        <field name="line_items" type="list"/>
      </fields>
      <styles><style name="body" align="justify"/></styles>
      <body>
        <h1>Order {{order_id}} for {{company_name}}</h1>
        <p>Contact {{contact_email}} from {{signed_on}} for {{seats}} seats<if test="not empty(unit_price)"> at
           {{unit_price | currency:"USD"}} each</if><if test="not empty(region)"> in {{region}}</if>. The parties agree
           that this order is governed by the master agreement between them, and that nothing in it changes the
           confidentiality, liability or termination terms already in force.</p>
        <for each="item" in="line_items"><p>{{item.description}} × {{item.qty}}</p></for>
        <signature role="customer"/>
      </body>
    </template>
    """

    static let template: CompiledTemplate = {
        let compiler = TemplateCompiler(clauseLibrary: TestEnvironment.root.appendingPathComponent("Templates/clauses"))
        return try! compiler.compile(source: Array(templateSource.utf8),
                                     path: TestEnvironment.root.appendingPathComponent("Templates/batch-test.xml").path)
    }()

    static let header = "order_id,company_name,contact_email,signed_on,seats,unit_price,region,line_items"

    /// `count` good rows: OR-1 … OR-n.
    static func rows(_ count: Int, from first: Int = 1) -> [String] {
        (first..<(first + count)).map { n in
            "OR-\(n),Company \(n) Ltd,buyer\(n)@example.com,2025-0\(n % 9 + 1)-1\(n % 9),\(n % 40 + 1),\(n % 7).50,"
                + (n % 3 == 0 ? "EMEA" : "") + "," + (n % 4 == 0 ? "\"[{\"\"description\"\": \"\"Seat\"\", \"\"qty\"\": \(n)}]\"" : "")
        }
    }

    /// Writes a CSV (header + rows, LF) into a fresh directory and returns its URL.
    static func csv(_ rows: [String], header: String = header, name: String = #function) throws -> URL {
        let directory = try TestEnvironment.scratchDirectory(name)
        let url = directory.appendingPathComponent("in.csv")
        try Data(([header] + rows).joined(separator: "\n").utf8 + [0x0A]).write(to: url)
        return url
    }

    /// Runs a batch.
    static func run(_ csv: URL, out: URL, mapping: BatchMapping? = nil, name: String? = "{{order_id}}.pdf", workers: Int = 2,
                    resume: Bool = false, shard: BatchShard? = nil) throws -> BatchSummary {
        let configuration = BatchConfiguration(csv: csv, mapping: mapping, output: out, namePattern: name, workers: workers,
                                               resume: resume, shard: shard, date: "2025-02-01")
        return try BatchGenerator(template: template, configuration: configuration).run()
    }

    /// The output of a finished batch: manifest lines, error CSV lines (without the header) and
    /// the SHA-256 of every file in the directory.
    struct Output: Equatable {
        var manifest: [String]
        var errors: [String]
        var files: [String: String]
    }

    static func output(_ directory: URL, suffix: String = "") throws -> Output {
        let manifest = try String(contentsOf: directory.appendingPathComponent("manifest\(suffix).jsonl"), encoding: .utf8)
        let errors = try String(contentsOf: directory.appendingPathComponent("errors\(suffix).csv"), encoding: .utf8)
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".pdf") {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = sha256(data)
        }
        return Output(manifest: manifest.split(separator: "\n").map(String.init),
                      errors: errors.split(separator: "\n").dropFirst().map(String.init), files: files)
    }

    static func sha256(_ data: Data) -> String {
        DigestAlgorithm.sha256.hash(data).map { String(format: "%02x", $0) }.joined()
    }

    /// The `row` of each manifest line.
    static func rows(inManifest lines: [String]) -> [Int] {
        lines.compactMap { line in line.firstMatch(of: /^\{"row":(\d+),/).flatMap { Int($0.1) } }
    }

    /// The `row` of each errors.csv line.
    static func rows(inErrors lines: [String]) -> [Int] {
        lines.compactMap { line in line.split(separator: ",").first.flatMap { Int($0) } }
    }
}
