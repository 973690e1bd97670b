import ArgumentParser

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "(not yet wired)")
    func run() throws { throw UsageError("reach demo is not wired yet") }
}
