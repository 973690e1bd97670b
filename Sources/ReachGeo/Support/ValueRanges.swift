/// The ranges of values Reach accepts (README "Value ranges and input checks"). Readers check
/// them where a value enters, so that nothing downstream (text summaries, the MIP solver, the
/// report) meets a number it cannot represent exactly.
public enum ValueRanges {
    /// The largest population of one resident point (a census block or grid cell; 1e12 is
    /// more than 100 times the world population).
    public static let maximumResidentPopulation = 1e12
    /// The largest total population of one table: every sum stays an exact multiple of 0.001
    /// below 2^63 thousandths, and the solver's coefficients stay well inside Clp's range.
    public static let maximumTotalPopulation = 1e15
    /// The smallest population other than 0: outputs carry 3 decimals, so a smaller one would
    /// print as 0.
    public static let minimumNonzeroPopulation = 0.001
    /// The largest service radius (`radius_m`, `--radius-m`): half the Earth's circumference.
    public static let maximumRadiusMeters = 20_000_000.0
    /// The largest travel-time limit (`max_minutes`, `--max-minutes`), about 69 days.
    public static let maximumMaxMinutes = 100_000.0
    /// The largest `--time-limit` in seconds (11.6 days).
    public static let maximumTimeLimitSeconds = 1e6

    /// Why a resident's population is out of range (with its text as written), or nil.
    public static func populationProblem(_ value: Double, text: some StringProtocol) -> String? {
        if value.isFinite && value >= 0 && value <= maximumResidentPopulation && !(value > 0 && value < minimumNonzeroPopulation) {
            return nil // the common case, without building the quoted text
        }
        let shown = ErrorText.quoted(text)
        if !value.isFinite { return "population \(shown) is not finite" }
        if value < 0 { return "population \(shown) is negative" }
        if value > maximumResidentPopulation {
            return "population \(shown) is larger than the maximum 1e12 per resident"
        }
        if value > 0 && value < minimumNonzeroPopulation {
            return "population \(shown) is below the smallest accepted 0.001 (outputs carry 3 decimals; use 0 or at least 0.001)"
        }
        return nil
    }

    /// The message when a table's running total passes ``maximumTotalPopulation``, or nil.
    public static func totalPopulationProblem(_ total: Double) -> String? {
        total > maximumTotalPopulation
            ? "the total population passes the maximum 1e15 at this row (split the table or use smaller units)"
            : nil
    }
}
