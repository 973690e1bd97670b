import ReachGeo

/// Where residents file their procedures, under the two rules planners compare.
///
/// - **File anywhere** (Hanoi's rule since 1 July 2025): a resident files at the open site it
///   reaches fastest (`fastest_id` of `residents.csv`; without roads that is the geodesically
///   nearest one), or at the nearest open site (`nearest_id`) when it has no travel time (no
///   road within snap but within the radius). Residents outside the standard still file — a
///   birth or a land record cannot be skipped — at that same site; their filings are counted
///   apart as `outside_standard`. A resident with no open site at all files nowhere.
/// - **Own unit only**: a resident files at an open site whose `zone` equals its own zone; with
///   several such sites, the geodesically nearest (ties: the first in the scenario); with none,
///   or without a zone, it falls back to its file-anywhere site (counted as `fell_back`).
public enum DemandAssignment {
    /// The open site (an index into `evaluation.openSites`) each resident files at under
    /// file-anywhere; −1 for none.
    public static func fileAnywhere(_ evaluation: CoverageEvaluation) -> [Int32] {
        evaluation.outcomes.map { o in
            if o.fastestSite >= 0 && !o.minutes.isNaN { return o.fastestSite }
            return o.nearestSite
        }
    }

    /// The open site each resident files at under own-unit-only, and whether it fell back to its
    /// file-anywhere site (no open site in its zone, or no zone).
    /// - Parameters:
    ///   - openSites: the open sites, in the order of `fileAnywhere`'s indices.
    ///   - fileAnywhere: ``fileAnywhere(_:)``.
    public static func ownUnit(residents: [Resident], openSites: [Site], fileAnywhere: [Int32]) -> (site: [Int32], fellBack: [Bool]) {
        var byZone: [String: [Int32]] = [:]
        for (k, s) in openSites.enumerated() { if let z = s.zone { byZone[z, default: []].append(Int32(k)) } }
        var site = fileAnywhere
        var fellBack = [Bool](repeating: false, count: residents.count)
        for (i, r) in residents.enumerated() {
            guard let z = r.zone, let list = byZone[z] else { fellBack[i] = true; continue }
            if list.count == 1 { site[i] = list[0]; continue }
            var best = list[0], bestMeters = Double.infinity
            for k in list {
                let d = Geodesic.distanceMeters(r.position, openSites[Int(k)].position)
                if d < bestMeters { bestMeters = d; best = k }
            }
            site[i] = best
        }
        return (site, fellBack)
    }

    /// Filings per year that each resident makes at a counter:
    /// population × rate × (1 − online share), the rate being the resident's own
    /// `filings_per_person_year` when given, else the scenario's.
    public static func counterFilings(residents: [Resident], parameters: ServiceParameters) -> [Double] {
        residents.map { $0.population * ($0.filingsPerPersonYear ?? parameters.filingsPerPersonYear) * (1 - parameters.onlineShare) }
    }
}
