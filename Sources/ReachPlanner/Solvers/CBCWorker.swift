internal import CCbc
import Foundation
import ReachGeo
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One CBC run: the model and its parameters, as sent to the worker.
struct CBCJob {
    var model: CBCModel
    var warmStart: [Double]?
    var readColumns: Int
    var seconds: Double
    var nodeLimit: Int?

    /// Solves in this process and returns the answer.
    func solveInProcess() throws -> CBCModel.Answer {
        let cbc = try model.makeCbcModel(warmStart: warmStart, seconds: seconds, nodeLimit: nodeLimit)
        defer { Cbc_deleteModel(cbc) }
        let slots = CBCModel.answerHeader + readColumns
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: slots)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: slots)
        CBCModel.runAndRecord(cbc, into: buffer, columns: readColumns)
        // CBC's driver takes SIGINT for itself during `Cbc_solve` (it ends the search early and
        // returns normally): give it back to Reach, and pass on an interrupt CBC swallowed
        // (secondary status 5, "stopped on event").
        if Interruption.isInstalled {
            Interruption.installHandler(SIGINT)
            if Cbc_secondaryStatus(cbc) == 5 { Interruption.deliver(SIGINT) }
        }
        return CBCModel.answer(from: buffer, columns: readColumns)
    }

    // MARK: Encoding (same executable on both sides: native byte order and sizes)

    static let magic: UInt64 = 0x3130_4342_4348_4552 // "REACHCB01"-like tag

    func encoded() -> Data {
        var out = Data()
        func int(_ v: Int) { withUnsafeBytes(of: Int64(v)) { out.append(contentsOf: $0) } }
        func double(_ v: Double) { withUnsafeBytes(of: v) { out.append(contentsOf: $0) } }
        func array<T>(_ a: [T]) {
            int(a.count)
            a.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        withUnsafeBytes(of: Self.magic) { out.append(contentsOf: $0) }
        int(model.integerColumns)
        int(model.maximise ? 1 : 0)
        double(model.allowableGap)
        int(readColumns)
        double(seconds)
        int(nodeLimit ?? -1)
        int(warmStart == nil ? 0 : 1)
        array(model.columnStarts)
        array(model.rowIndex)
        array(model.values)
        array(model.objective)
        array(model.columnLower)
        array(model.columnUpper)
        array(model.rowLower)
        array(model.rowUpper)
        array(warmStart ?? [])
        return out
    }

    init(model: CBCModel, warmStart: [Double]?, readColumns: Int, seconds: Double, nodeLimit: Int?) {
        self.model = model
        self.warmStart = warmStart
        self.readColumns = readColumns
        self.seconds = seconds
        self.nodeLimit = nodeLimit
    }

    /// Decodes ``encoded()``; nil when the bytes are not a complete job.
    init?(decoding data: Data) {
        var offset = 0
        var ok = true
        func raw<T>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard ok, offset + size <= data.count else { ok = false; return nil }
            let v = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
            offset += size
            return v
        }
        func int() -> Int { raw(Int64.self).map { Int($0) } ?? 0 }
        func double() -> Double { raw(Double.self) ?? 0 }
        func array<T>(_: T.Type) -> [T] {
            let n = int()
            let bytes = n * MemoryLayout<T>.stride
            guard ok, n >= 0, offset + bytes <= data.count else { ok = false; return [] }
            let a = data.withUnsafeBytes { buffer in
                [T](unsafeUninitializedCapacity: n) { out, count in
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[offset ..< offset + bytes]))
                    count = n
                }
            }
            offset += bytes
            return a
        }
        guard raw(UInt64.self) == Self.magic else { return nil }
        let integerColumns = int()
        let maximise = int() == 1
        let gap = double()
        readColumns = int()
        seconds = double()
        let nodes = int()
        nodeLimit = nodes < 0 ? nil : nodes
        let hasStart = int() == 1
        let starts = array(CoinBigIndex.self), rows = array(Int32.self), values = array(Double.self)
        let objective = array(Double.self), lower = array(Double.self), upper = array(Double.self)
        let rowLower = array(Double.self), rowUpper = array(Double.self)
        let start = array(Double.self)
        guard ok, offset == data.count, starts.count == objective.count + 1, rows.count == values.count,
              lower.count == objective.count, upper.count == objective.count, rowLower.count == rowUpper.count,
              readColumns >= 0, readColumns <= objective.count else { return nil }
        warmStart = hasStart ? start : nil
        model = CBCModel(integerColumns: integerColumns, maximise: maximise, allowableGap: gap, columnStarts: starts,
                         rowIndex: rows, values: values, objective: objective, columnLower: lower, columnUpper: upper,
                         rowLower: rowLower, rowUpper: rowUpper)
    }
}

/// CBC in a separate process: `reach __cbc-worker` (a hidden subcommand of Reach's own
/// executable), started with `posix_spawn`.
///
/// Why a separate process: CBC does not check its time limit inside the root LP or its
/// preprocessing, so only a process can be stopped from outside at the limit, and CBC's driver
/// installs its own SIGINT handler while it solves. Why not `fork()`: after `fork()` in a
/// multi-threaded process only the forking thread exists in the child, and any lock another thread
/// held (`malloc`'s, the Swift runtime's) stays locked forever; CBC allocates, so the child could
/// hang. `posix_spawn` of a fresh executable has no such state.
///
/// The protocol: the parent writes the model (``CBCJob``'s compact binary encoding) into an
/// unnamed temporary file (created and unlinked at once, so nothing is left behind whatever
/// happens) and spawns the worker with that file as its standard input, a pipe as its standard
/// output and a "lifeline" pipe as descriptor 3. The worker loads the model, writes one byte when
/// CBC starts (the time limit counts from there, as it did in-process), then the answer (the
/// ``CBCModel/answerHeader`` + columns doubles) and exits.
///
/// Stopping it: the parent SIGKILLs the worker at the time limit and when an error unwinds; the
/// worker is registered with ``Interruption``, which SIGKILLs and reaps it on SIGINT/SIGTERM
/// before the parent exits; and if the parent dies any other way (SIGKILL included) the kernel
/// closes the lifeline's write end, which a thread of the worker waits on and then `_exit`s —
/// the portable equivalent of `prctl(PR_SET_PDEATHSIG)`, without its catch that the signal
/// follows the death of the spawning *thread*, not the process.
public enum CBCWorker {
    /// The hidden subcommand.
    public static let subcommand = "__cbc-worker"
    static let lifelineDescriptor: Int32 = 3
    static let readyByte: UInt8 = 0x52

    /// The running executable, for ``CBCSolver/defaultWorker``: on Linux `/proc/self/exe`
    /// itself (it names this process's executable file even if the path was since replaced, e.g.
    /// by a rebuild during a run), elsewhere `Bundle.main.executableURL`.
    public static func ownExecutable() -> URL? {
        #if os(Linux)
        if FileManager.default.isExecutableFile(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: "/proc/self/exe")
        }
        #endif
        return Bundle.main.executableURL
    }

    static func failure(_ reason: String) -> PlannerError { .solverFailure(solver: "cbc", reason: reason) }

    /// Runs `job` in a worker process of `executable` and returns CBC's answer.
    static func solve(_ job: CBCJob, executable: URL) throws -> CBCModel.Answer {
        // The model, in an unnamed temporary file.
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/.reach-cbc-XXXXXX".utf8CString)
        let modelFD: Int32 = try Interruption.critical {
            let fd = mkstemp(&template)
            if fd >= 0 { unlink(template); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return fd
        }
        guard modelFD >= 0 else { throw failure("cannot create a temporary file in \(directory) (\(OutputError.text(errno)))") }
        defer { close(modelFD) }
        let bytes = job.encoded()
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = write(modelFD, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard written, lseek(modelFD, 0, SEEK_SET) == 0 else {
            throw failure("cannot write the model for the CBC worker (\(OutputError.text(errno)))")
        }
        var answerPipe: [Int32] = [-1, -1], lifeline: [Int32] = [-1, -1]
        guard pipe(&answerPipe) == 0 else { throw failure("pipe failed (\(OutputError.text(errno)))") }
        guard pipe(&lifeline) == 0 else {
            close(answerPipe[0]); close(answerPipe[1])
            throw failure("pipe failed (\(OutputError.text(errno)))")
        }
        for fd in answerPipe + lifeline { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(answerPipe[0]); close(lifeline[1]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, modelFD, 0)
        posix_spawn_file_actions_adddup2(&actions, answerPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, lifeline[0], lifelineDescriptor)
        let args = [executable.path, subcommand]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var spawnError: Int32 = 0
        let child: pid_t? = try Interruption.spawnChild {
            var pid: pid_t = 0
            spawnError = posix_spawn(&pid, executable.path, &actions, nil, &argv, environ)
            return spawnError == 0 ? pid : nil
        }
        close(answerPipe[1])
        close(lifeline[0])
        guard let pid = child else { throw failure("cannot start the CBC worker \(executable.path) (\(OutputError.text(spawnError)))") }
        var reaped = false
        func reap(kill signal: Int32?) -> Int32 {
            if let signal { _ = kill(pid, signal) }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            Interruption.unregisterChild(pid)
            reaped = true
            return status
        }
        defer { if !reaped { _ = reap(kill: SIGKILL) } }

        // Read the ready byte and the answer; kill the worker when the time is up.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var solveStart: UInt64? = nil
        let spawnStart = DispatchTime.now().uptimeNanoseconds
        // Loading a model takes time too; a worker that does not start CBC within this is stuck.
        let startupAllowance = 30 + job.seconds
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if let solveStart, Double(now - solveStart) / 1e9 >= job.seconds {
                _ = reap(kill: SIGKILL)
                return CBCModel.Answer(columnValues: nil, objective: .nan, bestPossible: .nan, provenOptimal: false,
                                       secondsLimitReached: true, status: -1, killedAtTimeLimit: true)
            }
            if solveStart == nil && Double(now - spawnStart) / 1e9 >= startupAllowance {
                _ = reap(kill: SIGKILL)
                throw failure("the CBC worker did not start solving within \(Int(startupAllowance)) s")
            }
            var pfd = pollfd(fd: answerPipe[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 5)
            if ready < 0 {
                if errno == EINTR { continue }
                throw failure("poll failed (\(OutputError.text(errno)))")
            }
            if ready == 0 { continue }
            let n = read(answerPipe[0], &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw failure("cannot read the CBC worker's answer (\(OutputError.text(errno)))")
            }
            if n == 0 { break }
            var chunk = buffer[0 ..< n]
            if solveStart == nil {
                guard chunk.first == readyByte else { throw failure("the CBC worker sent an unexpected reply") }
                solveStart = DispatchTime.now().uptimeNanoseconds
                chunk = chunk.dropFirst()
            }
            received.append(contentsOf: chunk)
        }
        let status = reap(kill: nil)
        let slots = CBCModel.answerHeader + job.readColumns
        guard received.count == slots * MemoryLayout<Double>.stride else {
            throw failure("the CBC worker ended without an answer (\(describe(status)))")
        }
        let answer = received.withUnsafeBytes { raw -> CBCModel.Answer? in
            let doubles = raw.bindMemory(to: Double.self)
            guard doubles[0] == 1 else { return nil }
            return CBCModel.answer(from: doubles.baseAddress!, columns: job.readColumns)
        }
        guard let answer else { throw failure("the CBC worker ended without an answer (\(describe(status)))") }
        return answer
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "killed by signal \(signal)"
    }

    /// The worker's `main`: reads a ``CBCJob`` from standard input, solves it, writes the ready
    /// byte and the answer to standard output. Returns the exit code.
    public static func main(arguments: [String]) -> Int32 {
        // Leave as soon as the parent is gone: its end of the lifeline closes when it dies.
        let watch = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(lifelineDescriptor, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { _exit(3) }
            }
        }
        watch.start()
        var input = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = read(0, &chunk, chunk.count)
            if n < 0 { if errno == EINTR { continue }; writeToStderr("error: cbc worker: cannot read the model\n"); return 1 }
            if n == 0 { break }
            input.append(contentsOf: chunk[0 ..< n])
        }
        guard let job = CBCJob(decoding: input) else {
            writeToStderr("error: cbc worker: the model is not in the expected form (this command is internal to reach)\n")
            return 2
        }
        input = Data()
        guard let cbc = try? job.model.makeCbcModel(warmStart: job.warmStart, seconds: job.seconds, nodeLimit: job.nodeLimit) else {
            writeToStderr("error: cbc worker: Cbc_newModel failed\n")
            return 1
        }
        var ready = readyByte
        guard write(1, &ready, 1) == 1 else { return 1 }
        let slots = CBCModel.answerHeader + job.readColumns
        var answer = [Double](repeating: 0, count: slots)
        answer.withUnsafeMutableBufferPointer { CBCModel.runAndRecord(cbc, into: $0.baseAddress!, columns: job.readColumns) }
        Cbc_deleteModel(cbc)
        let ok = answer.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        return ok ? 0 : 1
    }
}
