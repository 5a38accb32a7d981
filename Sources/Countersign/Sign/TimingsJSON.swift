public import Signing

extension SigningTimings {
    /// One JSON object (`countersign sign --timings`): seconds per phase summed over the
    /// documents, the hash phase's CPU seconds, the bytes hashed and the hash phase's MB/s (wall
    /// clock), and the wall-clock seconds of the whole run.
    public func json(wall: Double) -> String {
        func seconds(_ value: Double) -> JSONValue { .double((value * 1e6).rounded() / 1e6) }
        return JSONValue.object([
            "documents": .int(documents),
            "wall_s": seconds(wall),
            "parse_s": seconds(parse),
            "build_s": seconds(build),
            "hash_s": seconds(hash),
            "hash_cpu_s": seconds(hashCPU),
            "hashed_bytes": .int(hashedBytes),
            "hash_mb_per_s": .double((hashMegabytesPerSecond * 10).rounded() / 10),
            "sign_s": seconds(sign),
            "write_s": seconds(write),
            "sync_s": seconds(sync),
        ]).rendered(pretty: false)
    }
}

extension PDFSigner.FileSummary {
    /// One JSON object (`countersign sign --json`): the input and output paths, whether the input
    /// was rewritten before signing and why (`notices`), and the harmless deviations its structure
    /// shows (`notes`: `code`, `offset`, `message`), as `verify --json` reports them.
    public func jsonLine(input: String, output: String) -> String {
        JSONValue.object([
            "input": .string(input),
            "output": .string(output),
            "rewritten": .bool(!notices.isEmpty),
            "notices": .array(notices.map(JSONValue.string)),
            "notes": .array(notes.map { note in
                .object(["code": .string(note.code.name), "offset": note.offset.map(JSONValue.int) ?? .null,
                         "message": .string(note.message)])
            }),
        ]).rendered(pretty: false)
    }
}
