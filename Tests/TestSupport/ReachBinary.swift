import Foundation

/// Runs the built `reach` executable, as swift-argument-parser's `AssertExecuteCommand` does.
public enum ReachBinary {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `reach` executable next to the test bundle (`.build/<config>/reach`).
    public static var url: URL {
        let candidates: [URL] = [
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent(),
        ] + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            let u = dir.appendingPathComponent("reach")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return SharedData.repositoryRoot.appendingPathComponent(".build/debug/reach")
    }

    /// The environment of a run: this process's, with `REACH_DATA` (the bundled data) and
    /// `REACH` (the executable, for shell scripts) set.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["REACH_DATA"] = SharedData.repositoryRoot.appendingPathComponent("data").path
        env["REACH"] = url.path
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Starts `reach args…` in `directory` with standard input, output and error on /dev/null,
    /// and returns the running process (for tests that signal it).
    public static func start(_ args: [String], in directory: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment([:])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `reach args…` in `directory` with `stdin` text, and returns its status and output.
    public static func run(_ args: [String], in directory: URL? = nil, stdin: String? = nil,
                           environment: [String: String] = [:]) throws -> Output {
        try run(command: url.path, args, in: directory, stdin: stdin, environment: environment)
    }

    /// Runs `command args…` (e.g. `/bin/sh -c 'exec "$REACH" … > /dev/full'`) like ``run(_:in:stdin:environment:)``.
    public static func run(command: String, _ args: [String], in directory: URL? = nil, stdin: String? = nil,
                           environment extra: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment(extra)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
