import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One batch at a time per output folder (and shard): an exclusive `flock` on a lock file
/// beside the manifest, held while the batch runs and removed when it ends. A second run into
/// the same folder — a `--resume` started while the first still writes — would delete the
/// first's temporary files and take its journal; it is refused instead, at once. A run killed
/// with SIGKILL leaves the file, but not the lock (the kernel drops it with the process): the
/// next run takes it over.
final class BatchLock {
    private let path: String
    private var descriptor: Int32

    /// Takes the lock at `url`, or throws `busy` naming the folder.
    init(url: URL) throws(BatchError) {
        path = url.path
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw BatchError(.io, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let busy = errno == EWOULDBLOCK
                let reason = String(cString: strerror(errno))
                close(descriptor)
                if busy {
                    throw BatchError(.busy, "another countersign batch is writing into \(url.deletingLastPathComponent().path) "
                                     + "(it holds \(url.lastPathComponent)); wait for it to finish, or choose another folder")
                }
                throw BatchError(.io, "cannot lock \(path): \(reason)")
            }
            // The file may have been removed by the run that held it just before we locked it:
            // then this lock guards nothing, and the path is tried again.
            var held = stat(), named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
                self.descriptor = descriptor
                return
            }
            close(descriptor)
        }
    }

    /// Removes the lock file and lets the lock go.
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
