import Foundation
import ReachGeo
@testable import ReachPlanner
import Testing

@Suite struct CoverageProblemTests {
    /// Demands 0 and 2 share the set {0, 2} (given unsorted for demand 2), demand 1 has {1},
    /// demand 3 none: three merged demands, populations 5 + 7 = 12, 3, 4.
    @Test func mergesIdenticalCoverageSets() throws {
        let problem = try makeProblem(populations: [5, 3, 7, 4], roles: "ccc", covers: [[0, 2], [1], [2, 0], []],
                                      minutes: [[1, 2], [3], [4, 5], []])
        #expect(problem.mergedDemandCount == 3)
        #expect(problem.mergedIndexOfDemand == [0, 1, 0, 2])
        #expect(problem.mergedPopulations == [12, 3, 4])
        #expect(Array(problem.members(ofMerged: 0)) == [0, 2])
        #expect(Array(problem.covers(2)) == [0, 2])
        // Minutes travel with their sites when a list is sorted: demand 2 gave [2: 4, 0: 5].
        #expect(Array(problem.demandCoverMinutes![problem.demandCoverOffsets[2] ..< problem.demandCoverOffsets[3]]) == [5, 4])
        #expect(Array(problem.mergedDemands(coveredBy: 2)) == [0])
        #expect(problem.totalPopulation == 19 && problem.coverablePopulation == 15)
    }

    @Test func csrAndNestedConstructorsAgree() throws {
        let nested = try makeProblem(populations: [5, 3, 7], roles: "cc", covers: [[0, 1], [1], []])
        let csr = try CoverageProblem.fromCoverageLists(
            populations: [5, 3, 7], sites: nested.sites, coverOffsets: [0, 2, 3, 3], coverSites: [1, 0, 1])
        #expect(nested == csr)
    }

    @Test func rejectsInvalidInput() throws {
        func reason(_ body: () throws -> CoverageProblem) -> String? {
            do { _ = try body(); return nil } catch let error as PlannerError {
                if case .invalidInput(let reason) = error { return reason }
                return "\(error)"
            } catch { return "\(error)" }
        }
        #expect(reason { try makeProblem(populations: [-1], roles: "c", covers: [[0]]) }?.contains("demand 0") == true)
        #expect(reason { try makeProblem(populations: [.nan], roles: "c", covers: [[0]]) } != nil)
        #expect(reason { try makeProblem(populations: [.infinity], roles: "c", covers: [[0]]) } != nil)
        #expect(reason { try makeProblem(populations: [1], roles: "c", covers: [[1]]) }?.contains("out of range") == true)
        #expect(reason { try makeProblem(populations: [1], roles: "cc", covers: [[1, 1]]) }?.contains("twice") == true)
        #expect(reason { try makeProblem(populations: [1, 2], roles: "c", covers: [[0]]) } != nil)
        #expect(reason { try makeProblem(populations: [1], roles: "c", covers: [[0]], minutes: [[-3]]) } != nil)
        #expect(reason { try makeProblem(populations: [1], roles: "c", covers: [[0]], minutes: [[]]) } != nil)
        let duplicate = [PlanningSite(id: "a", role: .candidate), PlanningSite(id: "a", role: .existing)]
        #expect(reason { try CoverageProblem.fromCoverageSets(populations: [1], sites: duplicate, covers: [[0]]) }?.contains("\"a\"") == true)
    }

    @Test func rejectsInvalidQuestions() throws {
        let problem = try makeProblem(populations: [1, 2], roles: "ec", covers: [[0], [1]])
        #expect(throws: PlannerError.tooManyFacilities(requested: 2, available: 1)) {
            try problem.solve(.coverage(.add, branches: 2))
        }
        #expect(throws: PlannerError.self) { try problem.solve(.coverage(.add, branches: -1)) }
        #expect(throws: PlannerError.self) { try problem.solve(.fewestBranches(targetShare: 1.5)) }
        #expect(throws: PlannerError.self) { try problem.solve(.coverage(branches: 1), timeLimitSeconds: .nan) }
        #expect(throws: PlannerError.self) {
            try makeProblem(populations: Array(repeating: 1, count: 30), roles: String(repeating: "c", count: 30),
                            covers: (0 ..< 30).map { [Int32($0)] })
                .solve(.coverage(branches: 15), using: ExhaustiveSolver(maxSubsets: 1000))
        }
        // Errors print one line and carry a stable code.
        #expect(PlannerError.tooManyFacilities(requested: 2, available: 1).description == "2 branches requested but only 1 sites can be chosen")
        #expect(PlannerError.infeasible(reason: "x").code == "infeasible")
    }

    /// A solution survives JSON encode → decode unchanged (the CLI serialises it).
    @Test func solutionIsCodable() throws {
        let problem = try makeProblem(populations: [10, 20, 5], roles: "ecr", covers: [[0], [1, 2], []], minutes: [[3], [4, 2], []])
        let solution = try problem.solve(.coverage(.add, branches: 2))
        let data = try JSONEncoder().encode(solution)
        #expect(try JSONDecoder().decode(CoverageSolution.self, from: data) == solution)
    }

    /// fewestBranches by hand: populations 50, 30, 15, 5 each covered by its own site s0…s3.
    /// Coverable = 100. 80 % needs s0 + s1 (80) → 2 branches; 81 % needs 3; 100 % needs 4.
    @Test(arguments: [(0.8, 2), (0.81, 3), (1.0, 4), (0.0, 0)])
    func fewestBranchesByHand(share: Double, expected: Int) throws {
        let problem = try makeProblem(populations: [50, 30, 15, 5], roles: "cccc", covers: [[0], [1], [2], [3]])
        let s = try problem.solve(.fewestBranches(targetShare: share))
        #expect(s.branches.count == expected)
        #expect(s.branchCountProvenMinimal == true)
        #expect(s.targetPopulation == share * 100)
    }
}
