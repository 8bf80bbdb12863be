import Foundation
import NIOCore
import PollsterCore

/// Where downloaded bytes go: a growing buffer, or a temporary file renamed when complete
/// (so a half-written file never carries the final name).
struct DownloadSink {
    /// In memory: the bytes as they will be returned, so finishing copies nothing (a 256 MiB
    /// output used to peak at twice its size; docs/benchmarks.md, scenario 4).
    private var buffer: [UInt8]?
    private var handle: FileHandle?
    private let directory: String?
    private let temporaryPath: String?

    /// - Parameter directory: write into a file there; nil keeps the bytes in memory.
    init(directory: String?) throws {
        self.directory = directory
        guard let directory else {
            buffer = []
            temporaryPath = nil
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PollsterError(
                .downloadFailed, "cannot create output directory \(directory): \(error.localizedDescription)")
        }
        let path = (directory as NSString).appendingPathComponent(".pollster-\(UUID().uuidString).part")
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw PollsterError(.downloadFailed, "cannot write into output directory \(directory)")
        }
        self.handle = handle
        temporaryPath = path
    }

    /// Makes room for `bytes` in all (the declared length, already checked against
    /// `output.maxBytes`), so an output kept in memory is not copied as it grows.
    mutating func reserve(_ bytes: Int) {
        guard bytes > 0, buffer != nil else { return }
        buffer!.reserveCapacity(bytes)
    }

    mutating func write(_ chunk: ByteBuffer) throws {
        if buffer != nil {
            buffer!.append(contentsOf: chunk.readableBytesView)
        } else if let handle {
            do {
                // Written from the buffer's own storage: no `Data` copy of every chunk.
                try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
            } catch {
                discard()
                throw PollsterError(
                    .downloadFailed, "writing the download failed: \(error.localizedDescription)")
            }
        }
    }

    /// Closes and names the result; returns the bytes (memory) or the final path (file).
    ///
    /// Nothing that exists is replaced or removed: when `filename` is taken (by a file, a
    /// directory or a link) the download gets the next free name, `name (2).ext`, … (see
    /// `ExclusiveRename`). On failure the partial file is removed.
    func finish(as filename: String) throws -> (bytes: [UInt8]?, path: String?) {
        if let buffer { return (buffer, nil) }
        guard let handle, let temporaryPath, let directory else { return (nil, nil) }
        do {
            try handle.close()
        } catch {
            discard()
            throw PollsterError(
                .downloadFailed, "writing the download failed: \(error.localizedDescription)")
        }
        do {
            return (nil, try ExclusiveRename.place(temporaryPath, in: directory, as: filename))
        } catch {
            discard()
            throw error
        }
    }

    /// Removes a partial file.
    func discard() {
        try? handle?.close()
        if let temporaryPath { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }
}
