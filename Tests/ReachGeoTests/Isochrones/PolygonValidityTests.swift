import Testing
import ReachGeo

/// A closed lon/lat ring from (lon, lat) pairs (the first pair is repeated at the end).
func lonLatRing(_ xy: [(Double, Double)]) -> [LonLat] {
    let ring = xy.map { LonLat(lonDegrees: $0.0, latDegrees: $0.1) }
    return ring + [ring[0]]
}

@Suite("Polygon validity checker")
struct PolygonValidityTests {
    // A 1°×1° square, counter-clockwise, and a clockwise hole in its middle.
    let square = lonLatRing([(0, 0), (1, 0), (1, 1), (0, 1)])
    let hole = lonLatRing([(0.25, 0.25), (0.25, 0.75), (0.75, 0.75), (0.75, 0.25)])

    @Test("a square with a hole is valid")
    func valid() {
        #expect(PolygonValidity.check(IsochronePolygon(outer: square, holes: [hole])).isEmpty)
    }

    @Test("orientation: clockwise outer and counter-clockwise hole are reported")
    func orientation() {
        let cwOuter = IsochronePolygon(outer: Array(square.reversed()))
        #expect(PolygonValidity.check(cwOuter).contains { $0.contains("not counter-clockwise") })
        let ccwHole = IsochronePolygon(outer: square, holes: [Array(hole.reversed())])
        #expect(PolygonValidity.check(ccwHole).contains { $0.contains("not clockwise") })
    }

    @Test("a bow tie crosses itself")
    func bowTie() {
        // (0,0) → (1,1) → (1,0) → (0,1): the 1st and 3rd segments cross at (0.5, 0.5).
        let findings = PolygonValidity.check(IsochronePolygon(outer: lonLatRing([(0, 0), (1, 1), (1, 0), (0, 1)])))
        #expect(findings.contains { $0.contains("intersect") })
    }

    @Test("open, short and repeated-point rings are reported")
    func malformed() {
        let open = Array(square.dropLast())
        #expect(PolygonValidity.check(IsochronePolygon(outer: open)).contains { $0.contains("not closed") })
        let short = [LonLat(lonDegrees: 0, latDegrees: 0), LonLat(lonDegrees: 1, latDegrees: 0), LonLat(lonDegrees: 0, latDegrees: 0)]
        #expect(PolygonValidity.check(IsochronePolygon(outer: short)).contains { $0.contains("at least 4") })
        var repeated = square
        repeated.insert(repeated[1], at: 1)
        #expect(PolygonValidity.check(IsochronePolygon(outer: repeated)).contains { $0.contains("repeated position") })
    }

    @Test("holes outside the outer ring, crossing it, or inside another hole are reported")
    func holes() {
        let outside = lonLatRing([(2, 2), (2, 3), (3, 3), (3, 2)])
        #expect(PolygonValidity.check(IsochronePolygon(outer: square, holes: [outside])).contains { $0.contains("outside its outer ring") })
        let crossing = lonLatRing([(0.5, 0.5), (0.5, 1.5), (1.5, 1.5), (1.5, 0.5)])
        #expect(PolygonValidity.check(IsochronePolygon(outer: square, holes: [crossing])).contains { $0.contains("intersect") })
        let inner = lonLatRing([(0.4, 0.4), (0.4, 0.6), (0.6, 0.6), (0.6, 0.4)])
        #expect(PolygonValidity.check(IsochronePolygon(outer: square, holes: [hole, inner])).contains { $0.contains("inside hole") })
    }

    @Test("touching rings are rejected (stricter than OGC), even at one point")
    func touching() {
        // The hole's corner (1, 0.5) lies on the outer ring's east side.
        let touchingHole = lonLatRing([(0.5, 0.25), (0.5, 0.75), (1, 0.5)])
        #expect(PolygonValidity.check(IsochronePolygon(outer: square, holes: [touchingHole])).contains { $0.contains("intersect") })
    }

    @Test("MultiPolygon: disjoint parts are valid, a part inside another is not")
    func multiPolygon() {
        let far = IsochronePolygon(outer: lonLatRing([(2, 0), (3, 0), (3, 1), (2, 1)]))
        #expect(PolygonValidity.check(multiPolygon: [IsochronePolygon(outer: square), far]).isEmpty)
        let inside = IsochronePolygon(outer: lonLatRing([(0.1, 0.1), (0.2, 0.1), (0.2, 0.2), (0.1, 0.2)]))
        #expect(PolygonValidity.check(multiPolygon: [IsochronePolygon(outer: square), inside]).contains { $0.contains("inside polygon") })
        // But an island inside another part's hole is fine.
        let island = IsochronePolygon(outer: lonLatRing([(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)]))
        #expect(PolygonValidity.check(multiPolygon: [IsochronePolygon(outer: square, holes: [hole]), island]).isEmpty)
    }

    @Test("collinear overlap of consecutive segments (a spike) is reported")
    func spike() {
        // (0,0) → (2,0) → (1,0) → … the ring folds back on itself along y = 0.
        let findings = PolygonValidity.check(IsochronePolygon(outer: lonLatRing([(0, 0), (2, 0), (1, 0), (1, 1)])))
        #expect(!findings.isEmpty)
    }
}
