import Foundation
import Testing
import ReachGeo
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every file under `dir` (hidden ones included): its bytes, or a symlink's target, by relative path.
func folderSnapshot(_ dir: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    guard let names = FileManager.default.subpaths(atPath: dir.path) else { return out }
    for name in names {
        let path = dir.appendingPathComponent(name).path
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            out[name] = Data("symlink → \(target)".utf8)
            continue
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            out[name + "/"] = Data()
        } else {
            out[name] = FileManager.default.contents(atPath: path) ?? Data("unreadable".utf8)
        }
    }
    return out
}

/// Runs `/bin/sh -c script` in `dir` with `$REACH` set to the built `reach` (for redirections and
/// limits the plain runner cannot express).
func runShell(_ script: String, in dir: URL) throws -> ReachBinary.Output {
    try ReachBinary.run(command: "/bin/sh", ["-c", script], in: dir)
}

/// The tiny scenario of the CLI tests (four residents, one site, two candidates).
func failureScenario() throws -> TinyScenario {
    let (csv, e1) = tinyResidents()
    return try TinyScenario(residents: csv, existing: "id,lon,lat\ne1,\(e1.lonDegrees),\(e1.latDegrees)\n",
                            candidates: "id,lon,lat\nc1,\(e1.lonDegrees + 0.2),\(e1.latDegrees)\n")
}

/// Checks the failure contract: the exit code, exactly one `error:` line containing `message`,
/// and no file changed or appeared in `dir`.
func expectCleanFailure(_ r: ReachBinary.Output, status: Int32, message: String, dir: URL, before: [String: Data],
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == status, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
    #expect(errors.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
    #expect(errors.first?.contains(message) == true, "expected “\(message)” in: \(r.stderr)", sourceLocation: sourceLocation)
    let after = folderSnapshot(dir)
    #expect(after == before, "files changed: \(Set(after.keys).symmetricDifference(before.keys).sorted()) / \(after.keys.filter { before[$0] != after[$0] }.sorted())",
            sourceLocation: sourceLocation)
}

/// README "Failure behaviour": outputs never replace inputs, one commit per run, write failures
/// are errors. Each test hashes the scenario folder before and after.
@Suite struct OutputSafetyTests {
    @Test func outDotNextToTheInputsIsRefused() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        for command in [["coverage"], ["plan", "--branches", "1"]] {
            let r = try ReachBinary.run(command + ["scenario.json", "--out", "."], in: s.dir)
            expectCleanFailure(r, status: 2, message: "residents.csv: is an input of this run", dir: s.dir, before: before)
        }
    }

    @Test func anEmptyPathIsAUsageError() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        for args in [["coverage", "scenario.json", "--out", ""], ["coverage", "scenario.json", "--report", ""],
                     ["plan", "scenario.json", "--branches", "1", "--out", ""]] {
            let r = try ReachBinary.run(args, in: s.dir)
            expectCleanFailure(r, status: 2, message: "the path is empty", dir: s.dir, before: before)
        }
    }

    @Test func theReportNeverReplacesTheScenario() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out", "--report", "scenario.json"], in: s.dir)
        expectCleanFailure(r, status: 2, message: "scenario.json: is an input of this run", dir: s.dir, before: before)
        // An input given through an override counts too, also by another spelling of its path.
        let o = try ReachBinary.run(["coverage", "scenario.json", "--existing", "./existing.csv", "--report", "sub/../existing.csv"], in: s.dir)
        expectCleanFailure(o, status: 2, message: "is an input of this run", dir: s.dir, before: before)
    }

    @Test func theReportCannotBeAnotherOutputOfTheRun() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out", "--report", "out/residents.csv"], in: s.dir)
        expectCleanFailure(r, status: 2, message: "two outputs of this run would be written to the same file", dir: s.dir, before: before)
        // Nothing of out/ was written either (before the fix out/ was complete when --report failed).
        let p = try ReachBinary.run(["plan", "scenario.json", "--branches", "1", "--out", "out", "--report", "out/plan.json"], in: s.dir)
        expectCleanFailure(p, status: 2, message: "two outputs of this run would be written to the same file", dir: s.dir, before: before)
    }

    @Test func aFolderWhereAFileIsNeededIsAUsageError() throws {
        let s = try failureScenario()
        try FileManager.default.createDirectory(at: s.file("out/summary.json"), withIntermediateDirectories: true)
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out2", "--report", "."], in: s.dir)
        expectCleanFailure(r, status: 2, message: "is a folder; this output is a file", dir: s.dir, before: before)
        let q = try ReachBinary.run(["coverage", "scenario.json", "--out", "out"], in: s.dir)
        expectCleanFailure(q, status: 2, message: "out/summary.json: is a folder", dir: s.dir, before: before)
    }

    @Test func aSymlinkToAnInputIsRefused() throws {
        let s = try failureScenario()
        try FileManager.default.createSymbolicLink(atPath: s.file("link.csv").path, withDestinationPath: "residents.csv")
        try FileManager.default.createSymbolicLink(atPath: s.file("mirror").path, withDestinationPath: s.dir.path)
        try FileManager.default.linkItem(at: s.file("existing.csv"), to: s.file("hard.csv"))
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--report", "link.csv"], in: s.dir)
        expectCleanFailure(r, status: 2, message: "link.csv: is an input of this run (residents.csv)", dir: s.dir, before: before)
        // A folder symlink that leads back to the inputs' folder.
        let m = try ReachBinary.run(["coverage", "scenario.json", "--out", "mirror"], in: s.dir)
        expectCleanFailure(m, status: 2, message: "is an input of this run", dir: s.dir, before: before)
        // A hard link is the same file.
        let h = try ReachBinary.run(["coverage", "scenario.json", "--report", "hard.csv"], in: s.dir)
        expectCleanFailure(h, status: 2, message: "hard.csv: is an input of this run", dir: s.dir, before: before)
    }

    @Test func residentsAndIsochronesUseTheSameGuard() throws {
        let s = try failureScenario()
        try "ncols 2\nnrows 1\nxllcorner 105\nyllcorner 21\ncellsize 0.01\nNODATA_value -9999\n3 4\n"
            .write(to: s.file("grid.asc"), atomically: true, encoding: .utf8)
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["residents", "--from-grid", "grid.asc", "--out", "grid.asc"], in: s.dir)
        expectCleanFailure(r, status: 2, message: "grid.asc: is an input of this run", dir: s.dir, before: before)
        let e = try ReachBinary.run(["residents", "--from-grid", "grid.asc", "--out", ""], in: s.dir)
        expectCleanFailure(e, status: 2, message: "the path is empty", dir: s.dir, before: before)
        let i = try ReachBinary.run(["isochrones", "scenario.json", "--minutes", "10", "--out", "existing.csv"], in: s.dir)
        expectCleanFailure(i, status: 2, message: "existing.csv: is an input of this run", dir: s.dir, before: before)
        // demo --out a file: a usage error before any work.
        let d = try ReachBinary.run(["demo", "--out", "scenario.json"], in: s.dir)
        expectCleanFailure(d, status: 2, message: "scenario.json\" is a file, not a folder", dir: s.dir, before: before)
    }

    /// A path through a regular file (root-proof: permissions do not stop root, this does).
    @Test func aPathThroughAFileIsAUsageError() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "/dev/full/x"], in: s.dir)
        expectCleanFailure(r, status: 2, message: "/dev/full is not a folder", dir: s.dir, before: before)
        let q = try ReachBinary.run(["coverage", "scenario.json", "--out", "out", "--report", "existing.csv/r.html"], in: s.dir)
        expectCleanFailure(q, status: 2, message: "existing.csv is an input file of this run, not a folder", dir: s.dir, before: before)
    }

    /// A write that fails half-way (a file-size limit, as a full disk would): exit 1, one line,
    /// and neither the outputs nor their `.NAME.reach-tmp-…` temporaries nor the new folder remain.
    @Test func aFailedWriteLeavesNothing() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        let r = try runShell("ulimit -f 0 && exec \"$REACH\" coverage scenario.json --out out/deeper --report r.html", in: s.dir)
        expectCleanFailure(r, status: 1, message: "cannot write the file (File too large)", dir: s.dir, before: before)
        #expect(r.stdout.isEmpty)
    }

    @Test func aFullStandardOutputIsAnError() throws {
        let s = try failureScenario()
        let before = folderSnapshot(s.dir)
        let r = try runShell("exec \"$REACH\" coverage scenario.json --format json --out out > /dev/full", in: s.dir)
        expectCleanFailure(r, status: 1, message: "error: standard output: No space left on device", dir: s.dir, before: before)
        let t = try runShell("exec \"$REACH\" plan scenario.json --branches 1 > /dev/full", in: s.dir)
        expectCleanFailure(t, status: 1, message: "error: standard output: No space left on device", dir: s.dir, before: before)
        let c = try runShell("exec \"$REACH\" coverage scenario.json --format json >&-", in: s.dir)
        expectCleanFailure(c, status: 1, message: "error: standard output: it is closed", dir: s.dir, before: before)
        try "ncols 2\nnrows 1\nxllcorner 105\nyllcorner 21\ncellsize 0.01\nNODATA_value -9999\n3 4\n"
            .write(to: s.file("grid.asc"), atomically: true, encoding: .utf8)
        let withGrid = folderSnapshot(s.dir)
        let g = try runShell("exec \"$REACH\" residents --from-grid grid.asc > /dev/full", in: s.dir)
        expectCleanFailure(g, status: 1, message: "error: standard output: No space left on device", dir: s.dir, before: withGrid)
    }

    /// Concurrent runs into one `--out`: each commit holds the folder's lock, so a run waits while
    /// another holds it, and the folder always ends with one run's complete set.
    @Test func concurrentRunsIntoOneFolderSerialise() throws {
        let s = try failureScenario()
        // Reference outputs of three different standards.
        let radii = ["1000", "5000", "20000"]
        var reference: [[String: Data]] = []
        for (k, radius) in radii.enumerated() {
            let r = try ReachBinary.run(["coverage", "scenario.json", "--radius-m", radius, "--out", "ref\(k)"], in: s.dir)
            #expect(r.status == 0, "\(r.stderr)")
            reference.append(folderSnapshot(s.file("ref\(k)")))
        }
        // While this test holds the lock, a run cannot commit.
        try FileManager.default.createDirectory(at: s.file("shared"), withIntermediateDirectories: true)
        let fd = open(s.file("shared").path, O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let blocked = try ReachBinary.start(["coverage", "scenario.json", "--radius-m", "1000", "--out", "shared"], in: s.dir)
        Thread.sleep(forTimeInterval: 1.0)
        #expect(blocked.isRunning, "the run committed while another held the folder's lock")
        #expect(folderSnapshot(s.file("shared")).keys.allSatisfy { $0.hasPrefix(".") }, "outputs appeared under a held lock")
        flock(fd, LOCK_UN)
        close(fd)
        blocked.waitUntilExit()
        #expect(blocked.terminationStatus == 0)
        #expect(folderSnapshot(s.file("shared")) == reference[0])
        // Rounds of three concurrent runs: always exactly one run's set, no temporaries.
        for round in 0 ..< 3 {
            let runs = try radii.map { try ReachBinary.start(["coverage", "scenario.json", "--radius-m", $0, "--out", "shared"], in: s.dir) }
            for p in runs { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
            let got = folderSnapshot(s.file("shared"))
            #expect(reference.contains(got), "round \(round): a mixed set \(got.keys.sorted())")
        }
    }
}

/// README "What `--time-limit` bounds": the `solve` stage; every other stage is in `timings_s`,
/// and the stages add up to `total`.
@Suite struct TimingTests {
    @Test func timingsCoverEveryStage() throws {
        let s = try failureScenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "1", "--time-limit", "2", "--out", "out",
                                     "--report", "out/report.html", "--format", "json"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
        let members = try #require(json["timings_s"]?.objectMembers)
        let stages = Dictionary(members.map { ($0.key, $0.value.numberValue ?? -1) }, uniquingKeysWith: +)
        for stage in ["read", "sets", "matrix", "solve", "nearest", "classify", "write", "report", "total"] {
            #expect(stages[stage] != nil, "no \(stage) in \(stages)")
        }
        let total = try #require(stages["total"])
        let sum = stages.filter { $0.key != "total" }.values.reduce(0, +)
        #expect(sum <= total + 0.001 && sum >= total - max(0.25, 0.05 * total), "stages \(sum) s, total \(total) s")
        #expect(try #require(stages["solve"]) <= 2.5)
        // With --timings, plan.json tells where the solve's time went.
        let t = try ReachBinary.run(["plan", "scenario.json", "--branches", "1", "--time-limit", "2", "--out", "t", "--timings"], in: s.dir)
        #expect(t.status == 0, "\(t.stderr)")
        let plan = try JSONParser.parse(Data(s.read("t/plan.json").utf8), fileName: "plan.json")
        let phases = try #require(plan["solver"]?["phases_s"]?.objectMembers).map(\.key)
        #expect(phases.first == "model" && phases.contains("solution") && phases.last == "other", "\(phases)")
        #expect(plan["timings_s"]?["total"] != nil)
    }
}

/// A generated scenario big enough that CBC's root LP takes seconds: 30,000 residents, 1,500
/// candidates, each resident within the radius of ≈ 30 of them.
func slowPlanScenario() throws -> URL {
    let dir = try makeTemporaryDirectory("reach-signal")
    var rng = SplitMix64(seed: 7)
    func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    var residents = "id,lon,lat,population\n"
    residents.reserveCapacity(1_200_000)
    for i in 0 ..< 30_000 {
        residents += "r\(i),\(DecimalText.fixed(105 + 0.9 * unit(), decimals: 6)),\(DecimalText.fixed(21 + 0.9 * unit(), decimals: 6)),\(1 + rng.next() % 50)\n"
    }
    var candidates = "id,lon,lat\n"
    for i in 0 ..< 1_500 {
        candidates += "c\(i),\(DecimalText.fixed(105 + 0.9 * unit(), decimals: 6)),\(DecimalText.fixed(21 + 0.9 * unit(), decimals: 6))\n"
    }
    try residents.write(to: dir.appendingPathComponent("residents.csv"), atomically: true, encoding: .utf8)
    try candidates.write(to: dir.appendingPathComponent("candidates.csv"), atomically: true, encoding: .utf8)
    try "id,lon,lat\ne0,105.45,21.45\n".write(to: dir.appendingPathComponent("existing.csv"), atomically: true, encoding: .utf8)
    try """
    {"name": "slow", "residents": "residents.csv", "existing": "existing.csv", "candidates": "candidates.csv",
     "standard": {"radius_m": 8000, "max_minutes": 1, "rule": "radius"}}
    """.write(to: dir.appendingPathComponent("scenario.json"), atomically: true, encoding: .utf8)
    return dir
}

/// The processes whose parent is `pid` (from /proc), with their command lines.
func childProcesses(of pid: Int32) -> [(pid: Int32, command: String)] {
    var out: [(Int32, String)] = []
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let p = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8) else { continue }
        // Fields after the command (which is in parentheses): state, ppid, …
        guard let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, Int32(fields[1]) == pid else { continue }
        let cmd = (try? String(contentsOfFile: "/proc/\(name)/cmdline", encoding: .utf8))?.replacingOccurrences(of: "\0", with: " ") ?? ""
        out.append((p, cmd))
    }
    return out
}

/// The state letter of a process (`R`, `S`, `Z` …) from /proc, nil when it is gone.
func processState(_ pid: Int32) -> Character? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ").first?.first
}

/// README "Failure behaviour", signals: SIGINT/SIGTERM during a CBC solve in the worker process
/// stop the whole process tree within 2 s, exit 130/143, and leave no file.
@Suite(.serialized) struct SignalTests {
    static let scenario = Result { try slowPlanScenario() }

    @Test(arguments: ["INT", "TERM"])
    func aSignalDuringCBCStopsEverything(name: String) throws {
        let (signal, status): (Int32, Int32) = name == "INT" ? (SIGINT, 130) : (SIGTERM, 143)
        let dir = try Self.scenario.get()
        let before = folderSnapshot(dir)
        let tmpBefore = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
            .filter { $0.hasPrefix(".reach-cbc-") }
        // A generous limit: the stages before CBC take their share of it, and on a loaded machine a
        // short limit can leave CBC no time at all (then no worker starts). The signal ends the run.
        let process = try ReachBinary.start(["plan", "scenario.json", "--branches", "40", "--time-limit", "40",
                                             "--out", "out", "--report", "report.html"], in: dir)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let pid = process.processIdentifier
        // Wait for the CBC worker.
        var worker: Int32? = nil
        let waitStart = Date()
        while worker == nil && Date().timeIntervalSince(waitStart) < 60 && process.isRunning {
            worker = childProcesses(of: pid).first { $0.command.contains("__cbc-worker") }?.pid
            if worker == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        let workerPid = try #require(worker, "no CBC worker started")
        Thread.sleep(forTimeInterval: 0.3) // CBC is solving
        let sent = Date()
        kill(pid, signal)
        while process.isRunning && Date().timeIntervalSince(sent) < 10 { Thread.sleep(forTimeInterval: 0.01) }
        let elapsed = Date().timeIntervalSince(sent)
        #expect(!process.isRunning)
        #expect(elapsed < 2, "took \(elapsed) s to stop")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == status,
                "exit \(process.terminationStatus) (\(process.terminationReason == .exit ? "exit" : "signal"))")
        #expect(childProcesses(of: pid).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(workerPid)"), "the CBC worker \(workerPid) is still there")
        #expect(folderSnapshot(dir) == before, "files appeared: \(Set(folderSnapshot(dir).keys).subtracting(before.keys).sorted())")
        let tmpAfter = Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
            .filter { $0.hasPrefix(".reach-cbc-") }
        #expect(tmpAfter.isSubset(of: tmpBefore))
    }

    /// `reach` killed outright (SIGKILL: no cleanup can run) still takes the CBC worker with it:
    /// the worker notices its lifeline close and exits (it may linger as a zombie until its new
    /// parent reaps it, but it no longer runs).
    @Test func theWorkerDiesWithItsParent() throws {
        let dir = try Self.scenario.get()
        let process = try ReachBinary.start(["plan", "scenario.json", "--branches", "40", "--time-limit", "40"], in: dir)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var worker: Int32? = nil
        let waitStart = Date()
        while worker == nil && Date().timeIntervalSince(waitStart) < 60 && process.isRunning {
            worker = childProcesses(of: process.processIdentifier).first { $0.command.contains("__cbc-worker") }?.pid
            if worker == nil { Thread.sleep(forTimeInterval: 0.02) }
        }
        let workerPid = try #require(worker, "no CBC worker started")
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killed = Date()
        while let state = processState(workerPid), state != "Z", Date().timeIntervalSince(killed) < 5 {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let state = processState(workerPid)
        #expect(state == nil || state == "Z", "the worker \(workerPid) still runs (state \(state.map(String.init) ?? "?"))")
        #expect(Date().timeIntervalSince(killed) < 2)
    }
}
