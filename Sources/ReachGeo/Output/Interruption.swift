import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a run must undo when it is stopped by SIGINT or SIGTERM: temporary files not yet renamed
/// into place, folders created for outputs that never came, and helper processes (the CBC worker).
///
/// How it works. ``install()`` (called first thing by `reach`'s `main`) installs a handler for
/// SIGINT and SIGTERM that only writes the signal number into a pipe (`write(2)` is
/// async-signal-safe). A dedicated thread waits on that pipe; when a signal arrives it takes the
/// registry's lock, SIGKILLs and reaps every registered child, removes every registered temporary
/// file and created folder, and leaves with `_exit(128 + signal)` (130 for SIGINT, 143 for
/// SIGTERM). The cleanup runs on an ordinary thread, so it may allocate and take locks; the
/// signal handler itself does neither.
///
/// Holding the registry's lock (``withLock(_:)``) keeps the cleanup out: ``OutputBatch`` renames
/// its files under it, so a signal during the commit lets the commit finish (the outputs are then
/// complete) and exits right after; a signal before it leaves no output at all.
///
/// Without ``install()`` (library use, tests) the registry is still kept, but nothing reacts to
/// signals: the host process decides.
public enum Interruption {
    struct Registry {
        var temporaries: Set<String> = []
        /// Folders created for outputs, in creation order (removed in reverse, only when empty).
        var createdFolders: [String] = []
        var children: Set<Int32> = []
        /// Set by the cleanup thread; nothing is registered or committed afterwards.
        var interrupted = false
    }

    static let registry = Mutex(Registry())
    nonisolated(unsafe) static var signalPipeWrite: Int32 = -1
    private static let installed = Mutex(false)

    /// Installs the SIGINT/SIGTERM handling described above, and ignores SIGPIPE and SIGXFSZ so
    /// that a closed pipe or a file-size limit becomes a write error (`EPIPE`, `EFBIG`) that the
    /// run reports with exit code 1 instead of a silent death. Idempotent.
    public static func install() {
        let first = installed.withLock { done -> Bool in
            if done { return false }
            done = true
            return true
        }
        guard first else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalPipeWrite = fds[1]
        let readEnd = fds[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { break }
                if n < 0 && errno == EINTR { continue }
                return
            }
            cleanUpAndExit(signal: Int32(byte))
        }
        thread.name = "reach-signals"
        thread.start()
        for sig in [SIGINT, SIGTERM] { installHandler(sig) }
        // A blocked mask survives `exec` (some launchers block signals for their own threads):
        // unblock both here, before other threads exist, so that every thread inherits it.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        _ = pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
    }

    /// (Re)installs Reach's handler for `sig`. Libraries that install their own (CBC's driver
    /// takes SIGINT during `Cbc_solve`) are followed by a call to this.
    public static func installHandler(_ sig: Int32) {
        guard signalPipeWrite >= 0 else { return }
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { sig in
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(Interruption.signalPipeWrite, &byte, 1)
        }
        #else
        action.__sigaction_u.__sa_handler = { sig in
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(Interruption.signalPipeWrite, &byte, 1)
        }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        _ = sigaction(sig, &action, nil)
    }

    /// True once ``install()`` was called (the process reacts to SIGINT/SIGTERM itself).
    public static var isInstalled: Bool { signalPipeWrite >= 0 }

    /// Delivers `sig` to this process as if it came from outside (the cleanup and exit follow).
    public static func deliver(_ sig: Int32) {
        guard signalPipeWrite >= 0 else { _ = kill(getpid(), sig); return }
        var byte = UInt8(truncatingIfNeeded: sig)
        _ = write(signalPipeWrite, &byte, 1)
        // The cleanup thread exits the process; wait for it.
        while true { pause() }
    }

    /// Thrown when something would be registered after a signal arrived.
    public struct Interrupted: Error, CustomStringConvertible {
        public var description: String { "interrupted" }
    }

    /// Runs `body` with the registry locked: no cleanup runs meanwhile. Throws ``Interrupted``
    /// when the cleanup already started (the process is then about to exit).
    static func withLock<T>(_ body: (inout Registry) throws -> T) throws -> T {
        try registry.withLock { r in
            if r.interrupted { throw Interrupted() }
            return try body(&r)
        }
    }

    /// Runs `body` with no cleanup running meanwhile (e.g. create and unlink a temporary file as
    /// one step). Throws ``Interrupted`` when the cleanup already started.
    public static func critical<T>(_ body: () throws -> T) throws -> T { try withLock { _ in try body() } }

    /// Starts a helper process with `spawn` (which returns its pid, or nil when it failed) and
    /// registers it in the same step: it is SIGKILLed and reaped if the run is interrupted.
    public static func spawnChild(_ spawn: () -> Int32?) throws -> Int32? {
        try withLock { r in
            let pid = spawn()
            if let pid { r.children.insert(pid) }
            return pid
        }
    }
    public static func unregisterChild(_ pid: Int32) { registry.withLock { _ = $0.children.remove(pid) } }

    static func cleanUpAndExit(signal sig: Int32) -> Never {
        registry.withLock { r in
            r.interrupted = true
            for pid in r.children { _ = kill(pid, SIGKILL) }
            for pid in r.children {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            for path in r.temporaries { _ = unlink(path) }
            for dir in r.createdFolders.reversed() { _ = rmdir(dir) }
            r.children.removeAll()
            r.temporaries.removeAll()
            r.createdFolders.removeAll()
        }
        _exit(128 + sig)
    }
}
