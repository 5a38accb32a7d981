import Foundation
import PDFSyntax
import TestSupport
import Synchronization
import Testing

/// `GroupCommitWriter`: nothing has its final name before the group is durable, a commit puts
/// every file in place whole, and a failed or abandoned file leaves nothing behind.
@Suite struct GroupCommitTests {
    private func listing(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func filesAppearOnlyAtTheCommitWholeAndDurable() throws {
        let directory = try TestEnvironment.scratchDirectory("group-commit")
        let writer = GroupCommitWriter(directory: directory)
        let contents = (1...3).map { index in [UInt8](repeating: UInt8(index), count: 10_000 * index) }
        for (index, bytes) in contents.enumerated() {
            try writer.stage([Array(bytes.prefix(100)), Array(bytes.dropFirst(100))], as: "file-\(index).pdf")
        }
        #expect(writer.stagedCount == 3)
        #expect(writer.stagedBytes == 60_000)
        let before = try listing(directory)
        #expect(before.count == 3)
        #expect(before.allSatisfy(AtomicFileWriter.isTemporaryName), "only temporary files before the commit: \(before)")

        let outcome = writer.commit()
        #expect(outcome.failed.isEmpty)
        #expect(outcome.committed == ["file-0.pdf", "file-1.pdf", "file-2.pdf"])
        #expect(try listing(directory) == outcome.committed)
        for (index, bytes) in contents.enumerated() {
            #expect(try Array(Data(contentsOf: directory.appendingPathComponent("file-\(index).pdf"))) == bytes)
        }
        #expect(writer.stagedCount == 0)
        #expect(writer.commit().committed.isEmpty, "an empty group commits nothing")
    }

    @Test func anAbandonedGroupLeavesNothing() throws {
        let directory = try TestEnvironment.scratchDirectory("group-abandoned")
        do {
            let writer = GroupCommitWriter(directory: directory)
            try writer.stage([[1, 2, 3]], as: "never.pdf")
            #expect(try listing(directory).count == 1)
        }
        #expect(try listing(directory).isEmpty)
    }

    @Test func aFileThatCannotBeWrittenFailsAloneAndLeavesNothing() throws {
        let directory = try TestEnvironment.scratchDirectory("group-failure")
        let writer = GroupCommitWriter(directory: directory)
        try writer.stage([[1]], as: "good.pdf")
        #expect(throws: AtomicFileError.self) { try writer.stage([[2]], as: "missing-directory/bad.pdf") }
        let outcome = writer.commit()
        #expect(outcome.committed == ["good.pdf"])
        #expect(try listing(directory) == ["good.pdf"])
    }
}

/// `GroupCommitQueue`: files submitted from several threads are all reported, each once, only
/// after they are in place; a file that cannot take its name is reported with the reason.
@Suite struct GroupCommitQueueTests {
    @Test func everySubmissionIsReportedOnceAfterItsFileIsInPlace() throws {
        let directory = try TestEnvironment.scratchDirectory("group-commit-queue")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("blocked-7.pdf/inside"),
                                                withIntermediateDirectories: true)
        // Groups larger than the pending bound: files move on by the delay, never deadlock.
        let queue = GroupCommitQueue(directory: directory, groupSize: 16, maxDelay: 0.01, maxPending: 2)
        let reports = Mutex<[String: String?]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for index in stride(from: thread, to: 40, by: 4) {
                let name = index == 7 ? "blocked-7.pdf" : "file-\(index).pdf"
                queue.submit([[UInt8](repeating: UInt8(index), count: 1_000 + index)], as: name) { failure in
                    let inPlace = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                        == Data(repeating: UInt8(index), count: 1_000 + index)
                    let report: String? = failure ?? (inPlace ? nil : "reported before it was in place")
                    reports.withLock { $0[name] = .some(report) }
                }
            }
        }
        let timings = queue.close()
        let all = reports.withLock { $0 }
        #expect(all.count == 40)
        #expect(all.filter { $0.value != nil }.keys.sorted() == ["blocked-7.pdf"])
        #expect(all["blocked-7.pdf"]??.contains("rename") == true)
        #expect(timings.write > 0 && timings.sync > 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains(where: AtomicFileWriter.isTemporaryName))
    }
}
