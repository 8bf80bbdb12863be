import PollsterCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Gives a finished file its name without ever replacing what is already there.
///
/// A name from a provider (`Content-Disposition`) is untrusted: whatever exists under it —
/// a user's file, a directory, a symbolic link — is kept, and the file gets the next free
/// name instead (`clip.mp4`, `clip (2).mp4`, `clip (3).mp4`, …). Each try is atomic, so two
/// downloads racing for one name in a shared folder (`batch`) both keep their bytes.
enum ExclusiveRename {
    /// Names tried at most: the name itself, then `name (2)` … `name (maxTries)`.
    static let maxTries = 100

    /// What a single try did.
    enum Outcome: Equatable {
        case placed
        case taken
        /// The system call failed for another reason (errno).
        case failed(Int32)
    }

    /// Moves `source` to the first free name of `filename`'s series in `directory`.
    /// - Returns: the path the file now has.
    /// - Throws: `DOWNLOAD_FAILED` when every name is taken or the file system refuses; `source`
    ///   is then left for the caller to remove.
    static func place(_ source: String, in directory: String, as filename: String) throws(PollsterError)
        -> String
    {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        for attempt in 1...maxTries {
            let path = folder + candidate(filename, attempt)
            switch move(source, to: path) {
            case .placed: return path
            case .taken: continue
            case .failed(let code):
                throw PollsterError(
                    .downloadFailed,
                    "cannot name the download \(path): \(String(cString: strerror(code))); check the output directory"
                )
            }
        }
        throw PollsterError(
            .downloadFailed,
            "cannot name the download \(filename): it and \(candidate(filename, 2)) … \(candidate(filename, maxTries)) all exist in \(directory); nothing was replaced. Clear the folder or choose another output directory"
        )
    }

    /// `name.ext` for the first try, then `name (n).ext`.
    static func candidate(_ filename: String, _ attempt: Int) -> String {
        guard attempt > 1 else { return filename }
        if let dot = filename.lastIndex(of: "."), dot != filename.startIndex {
            return "\(filename[..<dot]) (\(attempt))\(filename[dot...])"
        }
        return "\(filename) (\(attempt))"
    }

    /// One atomic try: `source` takes `destination` only if nothing exists there.
    static func move(_ source: String, to destination: String) -> Outcome {
        #if canImport(Darwin)
            if renamex_np(source, destination, UInt32(RENAME_EXCL)) == 0 { return .placed }
            if errno == EEXIST { return .taken }
            guard errno == ENOTSUP else { return .failed(errno) }
        #endif
        // A hard link fails with EEXIST when anything (file, directory, link) has the name.
        if link(source, destination) == 0 {
            unlink(source)
            return .placed
        }
        let linkError = errno
        if linkError == EEXIST { return .taken }
        guard linkError == EPERM || linkError == ENOTSUP || linkError == EOPNOTSUPP || linkError == EMLINK
        else { return .failed(linkError) }
        return claimThenRename(source, to: destination)
    }

    /// For file systems without hard links: claim the name with an exclusively created empty
    /// file, then rename over that placeholder (ours alone).
    private static func claimThenRename(_ source: String, to destination: String) -> Outcome {
        let descriptor = open(destination, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return errno == EEXIST ? .taken : .failed(errno) }
        close(descriptor)
        guard rename(source, destination) == 0 else {
            let code = errno
            unlink(destination)
            return .failed(code)
        }
        return .placed
    }
}
