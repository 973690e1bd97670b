import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write that failed (a full disk, a file-size limit, a closed pipe): exit code 1, one line
/// `error: PATH: reason`.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, _ reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }

    /// `strerror(code)` as text.
    public static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// The one way Reach writes files: every output file of a run is committed together, or none is.
///
/// 1. **Validate every destination first** (``reserve(_:)``, before any work is done, and again
///    in ``add(_:as:)``): its folder must exist or be creatable (every existing ancestor a
///    folder we may write into), the destination itself must not be a folder, no two outputs of
///    the run may be the same file, and no output may be an input of the run (compared after
///    resolving symlinks with `realpath`, and by device and inode, so a symlink or hard link to an
///    input is caught too). Each is a usage error (``InputError``, exit 2).
/// 2. **Write every file to a temporary** `.NAME.reach-tmp-PID-N` beside its destination
///    (`O_EXCL`, every `write(2)` checked, then `fsync`), creating missing folders on the way.
///    A failure removes every temporary and every folder this batch created, and throws
///    ``OutputError`` (exit 1).
/// 3. **Commit** (``commit()``): take an exclusive `flock` on every destination folder (the folder
///    itself, so no lock file is left behind; concurrent runs into one `--out` therefore commit
///    one after the other and the folder holds one run's complete set), then `rename(2)` every
///    temporary into place under ``Interruption``'s lock, so SIGINT/SIGTERM either comes before
///    the commit (nothing appears) or waits for its end.
///
/// Temporaries and created folders are registered with ``Interruption``, which removes them when
/// the run is stopped by a signal. A batch dropped without ``commit()`` discards itself.
public final class OutputBatch {
    struct Input {
        var display: String
        var canonical: String
        var device: UInt64
        var inode: UInt64
    }

    private var inputs: [Input] = []
    /// Canonical destination paths reserved so far, with the text used in messages.
    private var reserved: [String: String] = [:]
    private var staged: [(temp: String, final: String, display: String)] = []
    private var createdFolders: [String] = []
    private var counter = 0

    /// A batch whose outputs must never be one of `inputs` (the run's input files; missing ones
    /// are ignored).
    public init(inputs: [URL] = []) {
        for url in inputs { addInput(url) }
    }

    deinit { discard() }

    /// Adds an input file that no output may replace.
    public func addInput(_ url: URL) {
        let path = url.standardizedFileURL.path
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        inputs.append(Input(display: Self.display(url), canonical: Self.canonicalPath(path),
                            device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
    }

    /// The output files staged so far (final paths, in the order added).
    public var stagedPaths: [String] { staged.map(\.final) }

    // MARK: - Validation

    /// Checks that `url` may be written by this run (see the type's documentation) and reserves it.
    /// Reserving the same file twice is an error: two outputs of one run would collide.
    public func reserve(_ url: URL) throws {
        let path = url.standardizedFileURL.path
        let display = Self.display(url)
        let canonical = Self.canonicalPath(path)
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw InputError(file: display, "is a folder; this output is a file (give a file name)")
            }
            for input in inputs where input.device == UInt64(st.st_dev) && input.inode == UInt64(st.st_ino) {
                throw Self.inputClash(display, input)
            }
        }
        for input in inputs where input.canonical == canonical { throw Self.inputClash(display, input) }
        if reserved[canonical] != nil {
            throw InputError(file: display, "two outputs of this run would be written to the same file")
        }
        for (other, otherDisplay) in reserved {
            if other.hasPrefix(canonical + "/") || canonical.hasPrefix(other + "/") {
                throw InputError(file: display, "one output of this run would be a folder of another (\(otherDisplay))")
            }
        }
        for input in inputs where canonical.hasPrefix(input.canonical + "/") {
            throw InputError(file: display, "\(input.display) is an input file of this run, not a folder")
        }
        try Self.checkFolder(of: path, display: display)
        reserved[canonical] = display
    }

    /// Reserves every file of `urls` (see ``reserve(_:)``).
    public func reserve(_ urls: [URL]) throws { for u in urls { try reserve(u) } }

    private static func inputClash(_ display: String, _ input: Input) -> InputError {
        let same = input.display == display ? "" : " (\(input.display))"
        return InputError(file: display, "is an input of this run\(same); outputs never replace inputs, choose another output path")
    }

    /// The nearest existing ancestor of `path` must be a folder we may write into.
    private static func checkFolder(of path: String, display: String) throws {
        var folder = (path as NSString).deletingLastPathComponent
        while true {
            var st = stat()
            if stat(folder, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw InputError(file: display, "\(folder) is not a folder")
                }
                if access(folder, W_OK | X_OK) != 0 {
                    throw InputError(file: display, "cannot write into the folder \(folder) (\(OutputError.text(errno)))")
                }
                return
            }
            let code = errno
            if code != ENOENT && code != ENOTDIR {
                throw InputError(file: display, "cannot use the folder \(folder) (\(OutputError.text(code)))")
            }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { return }
            folder = parent
        }
    }

    /// `realpath` of the longest existing prefix of `path`, with the rest appended: the file a
    /// path names after every symlink is followed, also when the file does not exist yet.
    static func canonicalPath(_ path: String) -> String {
        var head = (path as NSString).standardizingPath
        if !head.hasPrefix("/") { head = FileManager.default.currentDirectoryPath + "/" + head }
        var tail: [String] = []
        while true {
            if let resolved = realpath(head, nil) {
                let s = String(cString: resolved)
                free(resolved)
                if tail.isEmpty { return s }
                return (s == "/" ? "" : s) + "/" + tail.reversed().joined(separator: "/")
            }
            let parent = (head as NSString).deletingLastPathComponent
            if parent == head || parent.isEmpty { return path }
            tail.append((head as NSString).lastPathComponent)
            head = parent
        }
    }

    /// The path as messages show it: relative to the current folder when inside it.
    static func display(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let cwd = FileManager.default.currentDirectoryPath
        if path == cwd { return "." }
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }

    // MARK: - Staging

    /// Writes `data` to a temporary file beside `url` (validating `url` first if it was not
    /// reserved). On failure every temporary of the batch is removed.
    public func add(_ data: Data, as url: URL) throws {
        let path = url.standardizedFileURL.path
        let display = Self.display(url)
        do {
            if reserved[Self.canonicalPath(path)] == nil { try reserve(url) }
            if staged.contains(where: { $0.final == path }) {
                throw InputError(file: display, "two outputs of this run would be written to the same file")
            }
            let folder = (path as NSString).deletingLastPathComponent
            try createFolders(folder, display: display)
            counter += 1
            let temp = folder + "/." + (path as NSString).lastPathComponent + ".reach-tmp-\(getpid())-\(counter)"
            let fd: Int32 = try Interruption.withLock { r in
                let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                if fd >= 0 { r.temporaries.insert(temp) }
                return fd
            }
            guard fd >= 0 else { throw OutputError(path: display, "cannot create a temporary file (\(OutputError.text(errno)))") }
            staged.append((temp, path, display))
            var failure: Int32 = 0
            data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    offset += n
                }
            }
            if failure == 0 && fsync(fd) != 0 && errno != EINVAL { failure = errno }
            if close(fd) != 0 && failure == 0 && errno != EINTR { failure = errno }
            if failure != 0 { throw OutputError(path: display, "cannot write the file (\(OutputError.text(failure)))") }
        } catch {
            discard()
            throw error
        }
    }

    public func add(_ text: String, as url: URL) throws { try add(Data(text.utf8), as: url) }

    /// Creates the missing folders of `folder`, outermost first, remembering each for cleanup.
    private func createFolders(_ folder: String, display: String) throws {
        var missing: [String] = []
        var f = folder
        while true {
            var st = stat()
            if stat(f, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { throw InputError(file: display, "\(f) is not a folder") }
                break
            }
            missing.append(f)
            let parent = (f as NSString).deletingLastPathComponent
            if parent == f || parent.isEmpty { break }
            f = parent
        }
        for dir in missing.reversed() {
            let made: Bool = try Interruption.withLock { r in
                if mkdir(dir, 0o777) == 0 { r.createdFolders.append(dir); return true }
                return false
            }
            if made { createdFolders.append(dir); continue }
            let code = errno
            var st = stat()
            if code == EEXIST && stat(dir, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { continue }
            throw OutputError(path: display, "cannot create the folder \(dir) (\(OutputError.text(code)))")
        }
    }

    // MARK: - Commit

    /// Longest wait for another run's commit into the same folder.
    public static let lockTimeoutSeconds = 60.0

    /// Renames every staged file into place, holding an exclusive lock on each destination folder.
    public func commit() throws {
        guard !staged.isEmpty else { discard(); return }
        var locks: [Int32] = []
        defer { for fd in locks { close(fd) } }
        do {
            let folders = Set(staged.map { ($0.final as NSString).deletingLastPathComponent }).sorted()
            for folder in folders {
                let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard fd >= 0 else { throw OutputError(path: folder, "cannot open the output folder (\(OutputError.text(errno)))") }
                locks.append(fd)
                let start = DispatchTime.now().uptimeNanoseconds
                while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                    guard errno == EWOULDBLOCK || errno == EINTR else {
                        throw OutputError(path: folder, "cannot lock the output folder (\(OutputError.text(errno)))")
                    }
                    if Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 > Self.lockTimeoutSeconds {
                        throw OutputError(path: folder, "another reach run has been writing into this folder for \(Int(Self.lockTimeoutSeconds)) s; try again later")
                    }
                    usleep(10_000)
                }
            }
            try Interruption.withLock { r in
                // A folder may have appeared where a file goes since validation.
                for s in staged {
                    var st = stat()
                    if stat(s.final, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                        throw InputError(file: s.display, "is a folder; this output is a file (give a file name)")
                    }
                }
                for (k, s) in staged.enumerated() {
                    if rename(s.temp, s.final) != 0 {
                        let code = errno
                        // Files renamed so far stay (they are complete); the rest are removed.
                        staged.removeFirst(k)
                        throw OutputError(path: s.display, "cannot move the file into place (\(OutputError.text(code)))")
                    }
                    r.temporaries.remove(s.temp)
                }
                for dir in createdFolders { r.createdFolders.removeAll { $0 == dir } }
            }
            for fd in locks { _ = fsync(fd) }
            staged.removeAll()
            createdFolders.removeAll()
        } catch {
            discard()
            throw error
        }
    }

    /// Removes every staged temporary and every folder this batch created (when empty).
    public func discard() {
        Interruption.registry.withLock { r in
            for s in staged {
                _ = unlink(s.temp)
                r.temporaries.remove(s.temp)
            }
            for dir in createdFolders.reversed() {
                _ = rmdir(dir)
                r.createdFolders.removeAll { $0 == dir }
            }
        }
        staged.removeAll()
        createdFolders.removeAll()
    }
}

/// Standard output, written with every `write(2)` checked: a full disk or a closed pipe or
/// descriptor is an ``OutputError`` (`error: standard output: No space left on device`, exit 1).
public enum StandardOutput {
    public static func write(_ text: String) throws { try write(Data(text.utf8)) }

    public static func write(_ data: Data) throws {
        var failure: Int32 = 0
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        guard failure != 0 else { return }
        throw OutputError(path: "standard output", failure == EBADF ? "it is closed" : OutputError.text(failure))
    }

    /// Makes sure descriptors 0, 1 and 2 are open: a closed one gets `/dev/null` opened
    /// read-only, so that a later write fails (`EBADF`) instead of landing in whatever file the
    /// run would open next with that number. Call first thing in `main`.
    public static func guardStandardDescriptors() {
        for fd: Int32 in 0 ... 2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDONLY)
            if opened >= 0 && opened != fd {
                _ = dup2(opened, fd)
                _ = close(opened)
            }
        }
    }
}

/// `write(2)` under a name that methods called `write` do not shadow.
@inline(__always)
func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
