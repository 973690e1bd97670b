/// Why the planner could not answer: the input is unusable, or the question has no answer.
///
/// Errors are data: each case carries what a caller needs to print one precise line.
/// The ``code`` is a stable short identifier for logs and scripts.
public enum PlannerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The coverage input or the problem type is invalid (`reason` says what and where).
    case invalidInput(reason: String)
    /// More branches were requested than there are sites to choose from.
    case tooManyFacilities(requested: Int, available: Int)
    /// The question has no answer (for example a target share no choice of sites can reach).
    case infeasible(reason: String)
    /// The exact back end (COIN-OR CBC) failed in a way that is not the input's fault.
    case solverFailure(solver: String, reason: String)

    /// A stable short code for logs and scripts.
    public var code: String {
        switch self {
        case .invalidInput: "invalid_input"
        case .tooManyFacilities: "too_many_facilities"
        case .infeasible: "infeasible"
        case .solverFailure: "solver_failure"
        }
    }

    public var description: String {
        switch self {
        case .invalidInput(let reason): "invalid planner input: \(reason)"
        case .tooManyFacilities(let requested, let available):
            "\(requested) branches requested but only \(available) sites can be chosen"
        case .infeasible(let reason): "no plan can satisfy the request: \(reason)"
        case .solverFailure(let solver, let reason): "solver \(solver) failed: \(reason)"
        }
    }
}
