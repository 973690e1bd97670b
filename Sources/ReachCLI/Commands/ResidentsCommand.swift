import ArgumentParser

/// `reach residents --from-zones …` (owned by the Hanoi-data work; placeholder).
struct ResidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "residents",
        abstract: "Generate resident points from zone populations (seeded).")
    func run() throws {}
}
