import Foundation
import Testing
import ReachGeo

@Suite struct NearestSiteFinderTests {
    /// Brute force: every site's geodesic distance, lowest index on ties.
    func oracle(_ p: LonLat, _ sites: [LonLat]) -> (Int, Double)? {
        var best: (Int, Double)? = nil
        for (i, s) in sites.enumerated() {
            let d = Geodesic.distanceMeters(p, s)
            if best == nil || d < best!.1 { best = (i, d) }
        }
        return best
    }

    @Test(arguments: [1 as UInt64, 2, 3, 20251129])
    func equalsBruteForce(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        // Sites clustered and spread over a 1.5° box around Hanoi.
        let sites = (0..<(20 + Int(rng.next() % 200))).map { _ in
            LonLat(lonDegrees: 105.2 + rng.unitInterval() * 1.5, latDegrees: 20.4 + rng.unitInterval() * 1.2)
        }
        let points = (0..<2000).map { _ in LonLat(lonDegrees: 105.0 + rng.unitInterval() * 2.0, latDegrees: 20.2 + rng.unitInterval() * 1.6) }
        let finder = NearestSiteFinder(sites: sites)
        for (k, p) in points.enumerated() {
            let got = finder.nearest(to: p)
            let want = oracle(p, sites)
            #expect(got?.site == want?.0 && got?.distanceMeters == want?.1, "seed \(seed), point \(k): \(p)")
            // All sites within 5 km: equal to the brute-force list.
            let within = finder.sites(within: 5000, of: p).map(\.site)
            let brute = sites.indices.filter { Geodesic.distanceMeters(p, sites[$0]) <= 5000 }
            #expect(within == brute, "seed \(seed), point \(k)")
        }
    }

    /// Issue 10 (6a): with residents spread over lon 30–180 the UTM-plane prefilter of the old
    /// index missed the true nearest site for 13 of 2,000 residents. Continental and global
    /// extents, the poles and the antimeridian, against brute force over every site.
    @Test(arguments: [
        (UInt64(10), 30.0, 180.0, -10.0, 70.0),    // the issue's extent: lon 30–180
        (UInt64(11), -180.0, 180.0, -90.0, 90.0),  // the whole globe
        (UInt64(12), 170.0, 190.0, -20.0, 20.0),   // across the antimeridian (lon > 180 wrapped)
        (UInt64(13), -180.0, 180.0, 80.0, 90.0),   // the north polar cap
    ])
    func continentalExtentsEqualBruteForce(seed: UInt64, lon0: Double, lon1: Double, lat0: Double, lat1: Double) {
        var rng = SplitMix64(seed: seed)
        func point() -> LonLat {
            var lon = lon0 + rng.unitInterval() * (lon1 - lon0)
            if lon > 180 { lon -= 360 }
            // Uniform on the sphere's band (area-weighted latitude).
            let z0 = sin(lat0 * .pi / 180), z1 = sin(lat1 * .pi / 180)
            let lat = asin(z0 + rng.unitInterval() * (z1 - z0)) * 180 / .pi
            return LonLat(lonDegrees: lon, latDegrees: lat)
        }
        var sites = (0..<60).map { _ in point() }
        sites += [LonLat(lonDegrees: 180, latDegrees: 0), LonLat(lonDegrees: -180, latDegrees: 10),
                  LonLat(lonDegrees: 0, latDegrees: 90), LonLat(lonDegrees: 45, latDegrees: -90)]
        var points = (0..<2000).map { _ in point() }
        points += [LonLat(lonDegrees: -180, latDegrees: 0), LonLat(lonDegrees: 179.999, latDegrees: 10),
                   LonLat(lonDegrees: 123, latDegrees: 90), LonLat(lonDegrees: 0, latDegrees: -90)]
        let finder = NearestSiteFinder(sites: sites)
        var wrong = 0
        for (k, p) in points.enumerated() {
            let got = finder.nearest(to: p)
            let want = oracle(p, sites)
            if got?.site != want?.0 || got?.distanceMeters != want?.1 {
                wrong += 1
                Issue.record("seed \(seed), point \(k) \(p): got \(String(describing: got)), brute force \(String(describing: want))")
            }
            if k % 10 == 0 {
                let radius = 500_000.0
                let within = finder.sites(within: radius, of: p).map(\.site)
                let brute = sites.indices.filter { Geodesic.distanceMeters(p, sites[$0]) <= radius }
                #expect(within == brute, "seed \(seed), point \(k)")
            }
        }
        #expect(wrong == 0)
    }

    /// The bound the finder relies on, b²/a · σ ≤ s ≤ a²/b · σ, on random pairs anywhere.
    @Test func geodesicToCentralAngleBound() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let a = LonLat(lonDegrees: rng.unitInterval() * 360 - 180, latDegrees: asin(rng.unitInterval() * 2 - 1) * 180 / .pi)
            // Half the pairs close together (down to metres), half anywhere.
            let b: LonLat = rng.next() % 2 == 0
                ? Geodesic.direct(from: a, azimuthDegrees: rng.unitInterval() * 360, distanceMeters: pow(10, rng.unitInterval() * 6))
                : LonLat(lonDegrees: rng.unitInterval() * 360 - 180, latDegrees: asin(rng.unitInterval() * 2 - 1) * 180 / .pi)
            let s = Geodesic.distanceMeters(a, b)
            let chord = UnitVector(a).squaredChord(to: UnitVector(b)).squareRoot()
            let sigma = 2 * asin(min(1, chord / 2))
            #expect(s >= NearestSiteFinder.minimumRadiusOfCurvatureMeters * sigma - 1e-6, "\(a) \(b)")
            #expect(s <= NearestSiteFinder.maximumRadiusOfCurvatureMeters * sigma + 1e-6, "\(a) \(b)")
        }
    }

    // Regression: a query far outside the sites' grid (here 600 km away) used to walk every
    // ring between it and the grid. The answer must equal the brute-force one.
    @Test func farQueryOutsideTheGrid() throws {
        let sites = (0..<50).map { LonLat(lonDegrees: 105.8 + Double($0 % 10) * 0.01, latDegrees: 21.0 + Double($0 / 10) * 0.01) }
        let finder = NearestSiteFinder(sites: sites)
        let far = LonLat(lonDegrees: 101.0, latDegrees: 18.0)
        let got = try #require(finder.nearest(to: far))
        let want = try #require(oracle(far, sites))
        #expect(got.site == want.0 && got.distanceMeters == want.1)
    }

    @Test func inclusiveFiveKilometreBoundAndTies() throws {
        let centre = LonLat(lonDegrees: 105.85, latDegrees: 21.03)
        // A site exactly 5000 m away (geod_direct) and a duplicate of it later in the list.
        let at5km = Geodesic.direct(from: centre, azimuthDegrees: 90, distanceMeters: 5000)
        let sites = [at5km, at5km]
        let finder = NearestSiteFinder(sites: sites)
        let n = try #require(finder.nearest(to: centre))
        #expect(n.site == 0) // tie → the first in input order
        let d = Geodesic.distanceMeters(centre, at5km)
        #expect(abs(d - 5000) < 1e-6)
        // The same standard the coverage uses: ≤ is inclusive.
        let outcome = CoverageClassifier.classify(
            nearest: [(0, 5000.0), (0, 5000.000001)],
            times: ResidentTimes(fastestSite: [0, 0], minutes: [40, 40], snapped: [true, true], method: .estimated),
            standard: ServiceStandard(radiusMeters: 5000, maxMinutes: 30, rule: .radius))
        #expect(outcome.map(\.withinRadius) == [true, false])
        #expect(outcome[1].reason == .beyondRadius)
    }
}

@Suite struct CoverageClassifierTests {
    // Hand-made outcomes for each rule: distance 6000 m (beyond 5000) and 20 min (within 30).
    @Test(arguments: [
        (CoverageRule.either, true, nil as UncoveredReason?),
        (.both, false, .beyondRadius),
        (.radius, false, .beyondRadius),
        (.time, true, nil),
    ])
    func rules(rule: CoverageRule, covered: Bool, reason: UncoveredReason?) {
        let o = CoverageClassifier.classify(
            nearest: [(0, 6000)],
            times: ResidentTimes(fastestSite: [0], minutes: [20], snapped: [true], method: .network),
            standard: ServiceStandard(radiusMeters: 5000, maxMinutes: 30, rule: rule))[0]
        #expect(o.covered == covered && o.reason == reason)
    }

    @Test func reasonsInOrder() {
        let times = ResidentTimes(fastestSite: [-1, -1, 0], minutes: [.nan, .nan, 45], snapped: [false, true, true], method: .network)
        let o = CoverageClassifier.classify(nearest: [(0, 9000), (0, 9000), (0, 9000)], times: times,
                                            standard: ServiceStandard())
        #expect(o.map(\.reason) == [.noRoadWithinSnap, .unreachable, .beyondRadiusAndTime])
        #expect(o.map(\.withinTime) == [false, false, false])
    }

    @Test func totalsAddUp() {
        let rs = [Resident(id: "a", position: LonLat(lonDegrees: 0, latDegrees: 0), population: 10, zone: "Z"),
                  Resident(id: "b", position: LonLat(lonDegrees: 0, latDegrees: 0), population: 5, zone: "Z"),
                  Resident(id: "c", position: LonLat(lonDegrees: 0, latDegrees: 0), population: 1)]
        let o = CoverageClassifier.classify(nearest: [(0, 100), (0, 9000), nil],
                                            times: TimeEstimate.times(nearest: [(0, 100), (0, 9000), nil], detourFactor: 1.35, estimateKmh: 22),
                                            standard: ServiceStandard())
        let t = CoverageClassifier.totals(residents: rs, outcomes: o)
        #expect(t.coveredPopulation + t.uncoveredPopulation == t.population)
        #expect(t.coveredPopulation == 10)
        // 9000 m × 1.35 / (22 km/h) = 12150 m / 366.67 m/min = 33.14 min > 30 → uncovered.
        #expect(abs(o[1].minutes - 9000 * 1.35 / (22_000.0 / 60)) < 1e-9)
        #expect(o[2].reason == .unreachable)
        let z = CoverageClassifier.zoneTotals(residents: rs, outcomes: o)
        #expect(z.count == 1 && z[0].population == 15 && z[0].coveredPopulation == 10)
    }
}

@Suite struct ZoneIndexTests {
    @Test func pointInPolygonWithHole() {
        // A 4×4 square with a 2×2 hole in the middle (degrees, drawn by hand):
        // (0,0)-(4,0)-(4,4)-(0,4); hole (1,1)-(1,3)-(3,3)-(3,1).
        func p(_ x: Double, _ y: Double) -> LonLat { LonLat(lonDegrees: x, latDegrees: y) }
        let outer = [p(0, 0), p(4, 0), p(4, 4), p(0, 4), p(0, 0)]
        let hole = [p(1, 1), p(1, 3), p(3, 3), p(3, 1), p(1, 1)]
        let other = [p(4, 0), p(6, 0), p(6, 4), p(4, 4), p(4, 0)]
        let index = ZoneIndex(zones: [("ring", [[outer, hole]]), ("east", [[other]])])
        #expect(index.zoneIndex(containing: p(0.5, 0.5)) == 0)
        #expect(index.zoneIndex(containing: p(2, 2)) == nil)   // in the hole
        #expect(index.zoneIndex(containing: p(5, 2)) == 1)
        #expect(index.zoneIndex(containing: p(4, 2)) == 0)    // shared edge → first zone
        #expect(index.zoneIndex(containing: p(7, 2)) == nil)
    }
}
