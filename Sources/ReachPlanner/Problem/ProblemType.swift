import ReachGeo

/// Which sites may be chosen, and which stay open whatever the choice.
///
/// Roles (``SiteRole``) combine with the mode as follows:
///
/// | role        | `.add`                         | `.consolidate`                 |
/// |-------------|--------------------------------|--------------------------------|
/// | `existing`  | open from the start, not counted | may be chosen (keep the desk)  |
/// | `required`  | always open, counted within N  | always open, counted within N  |
/// | `candidate` | may be chosen                  | may be chosen                  |
///
/// "Counted within N" means that with 3 required sites and `.coverage(branches: 10)` the plan
/// opens the 3 required sites and chooses 7 more.
public enum PlanningMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Existing sites stay open; choose new branches among the candidates (`reach plan --mode add`).
    case add
    /// Choose sites among existing and candidates: which desks to keep (`--mode consolidate`).
    case consolidate
}

/// What a plan optimises.
public enum PlanningObjective: Sendable, Hashable, Codable {
    /// Maximise the covered population with exactly `branches` branches (MCLP, Church & ReVelle 1974).
    case coverage(branches: Int)
    /// The fewest branches whose covered population reaches `targetShare` of the coverable
    /// population (the population covered when every site is open).
    case fewestBranches(targetShare: Double)
}

/// A planning question: a mode and an objective (ArcGIS "Maximize Coverage" / spopt `MCLP` vocabulary).
public struct ProblemType: Sendable, Hashable, Codable {
    public var mode: PlanningMode
    public var objective: PlanningObjective

    public init(mode: PlanningMode, objective: PlanningObjective) {
        self.mode = mode
        self.objective = objective
    }

    /// Maximise coverage with `branches` branches (MCLP).
    public static func coverage(_ mode: PlanningMode = .add, branches: Int) -> ProblemType {
        ProblemType(mode: mode, objective: .coverage(branches: branches))
    }

    /// The fewest branches reaching `targetShare` of the coverable population.
    public static func fewestBranches(_ mode: PlanningMode = .add, targetShare: Double) -> ProblemType {
        ProblemType(mode: mode, objective: .fewestBranches(targetShare: targetShare))
    }
}
