import Foundation

/// Writes files atomically: into a temporary file in the same folder, then `rename`, so that a
/// failed run never leaves a partial output file behind.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: temp)
            try rename(temp, over: url)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw InputError(file: url.path, "cannot write the file (\(error.localizedDescription))")
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// `rename(2)`: atomically replaces `destination` (Foundation's `replaceItemAt` on Linux
    /// deletes the old file first and can then fail, losing it).
    static func rename(_ source: URL, over destination: URL) throws {
        if Foundation.rename(source.path, destination.path) != 0 {
            throw InputError(file: destination.path, "cannot rename the temporary file into place (errno \(errno))")
        }
    }
}

/// Stages several output files and commits them together: every file is written to a temporary
/// name first, and only when all are written are they renamed into place. If anything fails,
/// the temporaries are removed and no output appears.
public struct OutputBatch {
    private var staged: [(temp: URL, final: URL)] = []
    public init() {}

    public mutating func add(_ data: Data, as url: URL) throws {
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do { try data.write(to: temp) } catch {
            discard()
            throw InputError(file: url.path, "cannot write the file (\(error.localizedDescription))")
        }
        staged.append((temp, url))
    }

    public mutating func add(_ text: String, as url: URL) throws { try add(Data(text.utf8), as: url) }

    /// Renames every staged file into place.
    public mutating func commit() throws {
        for (temp, final) in staged {
            do {
                try AtomicFile.rename(temp, over: final)
            } catch {
                discard()
                throw InputError(file: final.path, "cannot write the file (\(error.localizedDescription))")
            }
        }
        staged.removeAll()
    }

    /// Removes every staged temporary file.
    public mutating func discard() {
        for (temp, _) in staged { try? FileManager.default.removeItem(at: temp) }
        staged.removeAll()
    }
}
