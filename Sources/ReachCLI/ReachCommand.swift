import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// The `reach` command: coverage of residents by administrative intake points, and where to put
/// the next branches.
struct ReachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reach",
        abstract: "Service-coverage planning: who is within 5 km or 30 minutes of an intake point, and where to put the next branches.",
        discussion: """
        Bad input exits with code 2 and one line `error: FILE:LINE: what`; an internal failure exits 1.
        Results go to stdout or --out; progress (on a terminal) and warnings go to stderr.
        """,
        version: "0.1.0",
        subcommands: [CoverageCommand.self, PlanCommand.self, IsochronesCommand.self, ProjectCommand.self,
                      DemoCommand.self, ResidentsCommand.self, StaffCommand.self])
}

@main
enum ReachMain {
    static func main() {
        // The CBC worker (a hidden subcommand: `reach __cbc-worker`, see ``CBCWorker``) is a
        // plain helper process: no argument parsing, no signal handling of its own.
        if CommandLine.arguments.count >= 2 && CommandLine.arguments[1] == CBCWorker.subcommand {
            exit(CBCWorker.main(arguments: Array(CommandLine.arguments.dropFirst(2))))
        }
        StandardOutput.guardStandardDescriptors()
        // SIGINT/SIGTERM: kill the CBC worker, remove temporaries, exit 130/143 (README,
        // "Failure behaviour").
        Interruption.install()
        CBCSolver.defaultWorker = CBCWorker.ownExecutable()
        let exitCode: Int32
        do {
            let arguments = try ArgumentPreflight.check(Array(CommandLine.arguments.dropFirst()))
            var command = try ReachCommand.parseAsRoot(arguments)
            try command.run()
            exitCode = 0
        } catch {
            exitCode = report(error)
        }
        exit(exitCode)
    }

    /// Prints an error the way INTERFACE.md says and returns the exit code. Every message goes
    /// through ``ErrorText/oneLine(_:)``: one line, control characters escaped.
    static func report(_ error: any Error) -> Int32 {
        func line(_ text: String) { writeToStderr("error: " + ErrorText.oneLine(text) + "\n") }
        switch error {
        case let e as InputError:
            line(e.description); return 2
        case let e as ProjectionError:
            line(e.description); return 2
        case let e as PlannerError:
            // A solver that breaks is our failure (1); everything else is a bad request (2).
            if case .solverFailure = e { line("internal failure: \(e.description)"); return 1 }
            line(e.description); return 2
        case let e as UsageError:
            line(e.message); return 2
        case let e as OutputError:
            line(e.description); return 1
        case is Interruption.Interrupted:
            // A signal arrived: the cleanup thread is exiting the process with 130 / 143.
            while true { pause() }
        case let e as ExitCode:
            return e.rawValue
        default:
            let code = ReachCommand.exitCode(for: error)
            let message = ReachCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty {
                    do { try StandardOutput.write(message + "\n") } catch {
                        writeToStderr("error: \(error)\n"); return 1
                    }
                }
                return 0
            }
            if code == .validationFailure || code.rawValue == 64 {
                // Usage mistakes: one `error:` line plus the usage, exit 2.
                let lines = message.split(separator: "\n", omittingEmptySubsequences: false)
                let first = lines.first.map(String.init) ?? "bad usage"
                line(cutQuotedValues(first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first))
                if lines.count > 1 { writeToStderr(lines.dropFirst().joined(separator: "\n") + "\n") }
                return 2
            }
            let ns = error as NSError
            if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
                // Foundation's file errors in plain words, not "NSCocoaErrorDomain error 512".
                line("internal failure: \(ErrorText.plainWords(for: error))")
                return 1
            }
            line("internal failure: \(message.isEmpty ? String(describing: error) : message)")
            return 1
        }
    }
}

/// argument-parser echoes values in single quotes (`The value '…' is invalid for '--branches'`):
/// each quoted value is cut to ``ErrorText/maximumEchoLength`` characters, as Reach's own are.
func cutQuotedValues(_ line: String) -> String {
    let parts = line.split(separator: "'", omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return line }
    return parts.enumerated().map { k, part in
        k % 2 == 1 && k < parts.count - 1 ? ErrorText.echo(part) : String(part)
    }.joined(separator: "'")
}

/// A bad flag value or combination found at run time.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
