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
