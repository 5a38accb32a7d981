import CountersignCrypto
import Foundation
import TestSupport
import Testing

/// SHA-2 vectors, streaming, and password sources.
@Suite struct DigestAndPasswordTests {
    @Test func knownAnswers() {
        let abc = Array("abc".utf8)
        #expect(DigestAlgorithm.sha256.hash(abc).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(DigestAlgorithm.sha384.hash(abc).hex
            == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(DigestAlgorithm.sha512.hash(abc).hex
            == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(DigestAlgorithm.sha256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func streamingEqualsOneShot(_ algorithm: DigestAlgorithm) {
        let bytes = CryptoFixtures.randomContent(10_000)
        var digest = Digest(algorithm)
        digest.update(Array(bytes[..<3]))
        bytes[3..<5000].withUnsafeBytes { digest.update($0) }
        digest.update(Data(bytes[5000...]))
        digest.update([UInt8]())
        let streamed = digest.finalize()
        #expect(streamed == algorithm.hash(bytes))
        #expect(streamed.count == algorithm.length)
        #expect(DigestAlgorithm(objectIdentifier: algorithm.objectIdentifier) == algorithm)
    }

    /// Only what `hexString` writes is a SHA-256 in hex: not upper case, not full-width digits
    /// (which `Character.isHexDigit` accepts), not another length.
    @Test func sha256HexIsExactlyWhatHexStringWrites() {
        let hash = DigestAlgorithm.sha256.hash(Array("abc".utf8)).hexString
        #expect(DigestAlgorithm.isSHA256Hex(hash))
        for bad in [hash.uppercased(), String(hash.dropLast()), hash + "0", String(repeating: "\u{FF10}", count: 64),
                    String(hash.dropLast()) + "g", ""] {
            #expect(!DigestAlgorithm.isSHA256Hex(bad), "\(bad)")
        }
    }

    @Test func passwordFromFileAndEnvironment() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (contents, expected) in [("s3cret\n", "s3cret"), ("s3cret\r\n", "s3cret"), ("s3cret", "s3cret"), ("a b\n\n", "a b\n")] {
            let url = try CryptoFixtures.write(Data(contents.utf8), "pass", in: directory)
            #expect(try PasswordSource.file(url.path).read() == expected)
        }
        expectCryptoError(.passwordUnavailable) { _ = try PasswordSource.file(directory.appendingPathComponent("none").path).read() }
        // An empty password from /dev/null, and one from a pipe (as `<(pass show key)` gives).
        #expect(try PasswordSource.file("/dev/null").read() == "")
        let fifo = directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread { try? Data("piped\n".utf8).write(to: URL(fileURLWithPath: fifo)) }
        writer.start()
        #expect(try PasswordSource.file(fifo).read() == "piped")
        // Not a password: a folder, and a file larger than any password.
        expectCryptoError(.passwordUnavailable) { _ = try PasswordSource.file(directory.path).read() }
        let large = try CryptoFixtures.write(Data(count: 65 * 1024), "large", in: directory)
        expectCryptoError(.passwordUnavailable) { _ = try PasswordSource.file(large.path).read() }

        let name = "COUNTERSIGN_TEST_PASSWORD_\(UUID().uuidString.prefix(8))"
        expectCryptoError(.passwordUnavailable) { _ = try PasswordSource.environment(name).read() }
        setenv(name, "from env", 1)
        defer { unsetenv(name) }
        #expect(try PasswordSource.environment(name).read() == "from env")
    }

    static var hasTerminal: Bool {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY)
        if descriptor >= 0 { close(descriptor) }
        return descriptor >= 0
    }

    @Test(.disabled(if: hasTerminal, "a terminal is attached"))
    func promptWithoutTerminalFails() {
        expectCryptoError(.passwordUnavailable) { _ = try PasswordSource.prompt.read() }
    }
}

extension Array where Element == UInt8 {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
