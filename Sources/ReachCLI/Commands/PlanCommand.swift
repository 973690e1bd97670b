import ArgumentParser

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(not yet wired)")
    func run() throws { throw UsageError("reach plan is not wired yet") }
}
