import ArgumentParser

struct IsochronesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "isochrones", abstract: "(not yet wired)")
    func run() throws { throw UsageError("reach isochrones is not wired yet") }
}
