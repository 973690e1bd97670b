import Foundation
import Testing
import ReachGeo
import TestSupport

@Suite("ZoneDisaggregation")
struct ZoneDisaggregationTests {
    /// A closed ring through the given corners (first repeated last).
    static func ring(_ corners: [(Double, Double)]) -> [LonLat] {
        (corners + [corners[0]]).map { LonLat(lonDegrees: $0.0, latDegrees: $0.1) }
    }

    /// A 0.04° square (105.80–105.84, 21.00–21.04) with a 0.02° square hole in the middle
    /// (105.81–105.83, 21.01–21.03): outer ring counter-clockwise, hole clockwise.
    static let squareWithHole = ZonePolygon(name: "Ring", parts: [[
        ring([(105.80, 21.00), (105.84, 21.00), (105.84, 21.04), (105.80, 21.04)]),
        ring([(105.81, 21.01), (105.81, 21.03), (105.83, 21.03), (105.83, 21.01)]),
    ]])

    @Test func pointInPolygonWithHoleAndParts() {
        let z = Self.squareWithHole
        #expect(z.contains(LonLat(lonDegrees: 105.805, latDegrees: 21.02)))   // in the band
        #expect(!z.contains(LonLat(lonDegrees: 105.82, latDegrees: 21.02)))   // in the hole
        #expect(!z.contains(LonLat(lonDegrees: 105.85, latDegrees: 21.02)))   // east of it
        #expect(!z.contains(LonLat(lonDegrees: 105.82, latDegrees: 20.99)))   // south of it
        let twoParts = ZonePolygon(name: "Two", parts: [
            [Self.ring([(0, 0), (1, 0), (1, 1), (0, 1)])],
            [Self.ring([(2, 0), (3, 0), (3, 1), (2, 1)])],
        ])
        #expect(twoParts.contains(LonLat(lonDegrees: 0.5, latDegrees: 0.5)))
        #expect(twoParts.contains(LonLat(lonDegrees: 2.5, latDegrees: 0.5)))
        #expect(!twoParts.contains(LonLat(lonDegrees: 1.5, latDegrees: 0.5)))
    }

    @Test func pointsFallInsideThePolygonAndOutsideItsHole() throws {
        let unit = ZoneUnit(code: "R", name: "Ring", centroid: LonLat(lonDegrees: 105.82, latDegrees: 21.02),
                            areaSquareKilometers: nil, population: 100_000)
        let residents = try ZoneDisaggregation.residents(units: [unit], zones: [Self.squareWithHole], spacingMeters: 200, seed: 7)
        // Independent check with plain coordinate comparisons (not ZonePolygon.contains).
        for r in residents {
            let x = r.position.lonDegrees, y = r.position.latDegrees
            #expect(x > 105.80 && x < 105.84 && y > 21.00 && y < 21.04, "\(r.id) outside the square")
            #expect(!(x > 105.81 && x < 105.83 && y > 21.01 && y < 21.03), "\(r.id) in the hole")
            #expect(r.zone == "Ring")
        }
        // Band area: 0.04² − 0.02² = 0.0012 square degrees; at 21.02° N one degree is
        // 111.35 km east × 110.71 km north... precisely: 0.0012 × 103.94 km × 110.73 km ≈ 13.81 km²
        // (1° lon = 111.32·cos 21.02° ≈ 103.9 km), so about 13.81e6 / 200² ≈ 345 points (± edge effects).
        #expect(residents.count > 300 && residents.count < 390, "\(residents.count)")
        #expect(residents.reduce(0) { $0 + $1.population } == 100_000)
    }

    @Test func sumsArePreservedExactlyForRandomZones() throws {
        var rng = SplitMix64(seed: 20251)
        var units: [ZoneUnit] = []
        for k in 0..<60 {
            let population = Int.random(in: 0...250_000, using: &rng)
            let area = Double.random(in: 0.05...80, using: &rng)
            units.append(ZoneUnit(code: "z\(k)", name: "Zone \(k)",
                                  centroid: LonLat(lonDegrees: Double.random(in: 105...106, using: &rng),
                                                   latDegrees: Double.random(in: 20.5...21.4, using: &rng)),
                                  areaSquareKilometers: area, population: population))
        }
        let residents = try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 700, seed: 42)
        var byZone: [String: Double] = [:]
        for r in residents {
            byZone[r.zone!, default: 0] += r.population
            #expect(r.population == r.population.rounded() && r.population >= 0, "whole persons")
        }
        for u in units {
            #expect(byZone[u.name] == Double(u.population), "zone \(u.name)")
        }
        #expect(Set(residents.map(\.id)).count == residents.count, "unique ids")
    }

    @Test func shareRule() throws {
        // 10 people on a disc that holds many grid points: 10 points of 1 person (zeros dropped).
        let small = ZoneUnit(code: "00001", name: "A", centroid: LonLat(lonDegrees: 105.8, latDegrees: 21.0),
                             areaSquareKilometers: 4, population: 10)
        // 0 people: one point with 0 at the first grid point.
        let empty = ZoneUnit(code: "00002", name: "B", centroid: LonLat(lonDegrees: 105.9, latDegrees: 21.0),
                             areaSquareKilometers: 4, population: 0)
        // 1,000 people over n points: each gets ⌊1000/n⌋ or ⌈1000/n⌉.
        let big = ZoneUnit(code: "00003", name: "C", centroid: LonLat(lonDegrees: 105.7, latDegrees: 21.0),
                           areaSquareKilometers: 4, population: 1_000)
        let r = try ZoneDisaggregation.residents(units: [small, empty, big], zones: [], spacingMeters: 250, seed: 1)
        let a = r.filter { $0.zone == "A" }, b = r.filter { $0.zone == "B" }, c = r.filter { $0.zone == "C" }
        #expect(a.count == 10 && a.allSatisfy { $0.population == 1 })
        #expect(a.first?.id == "u00001-0001" && a.last?.id == "u00001-0010")
        #expect(b.count == 1 && b[0].population == 0)
        // 4 km² / (250 m)² = 64 points expected → shares 15 or 16.
        #expect(c.count > 50 && c.count < 80, "\(c.count)")
        let lo = Double(1000 / c.count), hi = lo + 1
        #expect(c.allSatisfy { $0.population == lo || $0.population == hi })
    }

    @Test func seedMakesTheOutputReproducible() throws {
        let units = [ZoneUnit(code: "1", name: "A", centroid: LonLat(lonDegrees: 105.8, latDegrees: 21.0), areaSquareKilometers: 30, population: 123_457)]
        let one = ZoneDisaggregation.csv(try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 500, seed: 2025))
        let two = ZoneDisaggregation.csv(try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 500, seed: 2025))
        let other = ZoneDisaggregation.csv(try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 500, seed: 2026))
        #expect(one == two)
        #expect(one != other)
        #expect(one.hasPrefix("id,lon,lat,population,zone\nu1-0001,"))
    }

    /// The disc fallback: the points lie within the disc of the zone's area (checked with PROJ's
    /// geodesic distance, independent of the generator's tangent plane), and their count times
    /// the cell area matches the zone's area.
    @Test func discFallbackMatchesTheArea() throws {
        let centre = LonLat(lonDegrees: 105.5, latDegrees: 21.1)
        let areaKm2 = 10.0
        let unit = ZoneUnit(code: "D", name: "Disc", centroid: centre, areaSquareKilometers: areaKm2, population: 5_000_000)
        let residents = try ZoneDisaggregation.residents(units: [unit], zones: [], spacingMeters: 100, seed: 3)
        let radiusMeters = (areaKm2 * 1e6 / Double.pi).squareRoot() // 1,784.12 m
        for r in residents {
            #expect(Geodesic.distanceMeters(centre, r.position) <= radiusMeters * 1.001, "\(r.id)")
        }
        // 10 km² / (100 m)² = 1,000 cells; the lattice count of a disc of radius 17.84 cells
        // deviates by O(r^(2/3)) ≈ a few tens: allow 4 %.
        #expect(abs(Double(residents.count) - 1_000) < 40, "\(residents.count)")
        // A zone too small to catch a grid point still gets one point, at its centroid.
        let tiny = ZoneUnit(code: "T", name: "Tiny", centroid: centre, areaSquareKilometers: 0.0001, population: 77)
        let t = try ZoneDisaggregation.residents(units: [tiny], zones: [], spacingMeters: 5_000, seed: 3)
        #expect(t.count == 1 && t[0].population == 77 && t[0].position == centre)
    }

    @Test func unitTableErrorsNameTheLine() throws {
        let dir = try makeTemporaryDirectory("zones")
        func check(_ text: String, line: Int, _ fragment: String) throws {
            let url = dir.appendingPathComponent("u.csv")
            try text.write(to: url, atomically: true, encoding: .utf8)
            do {
                _ = try ZoneUnit.loadUnits(from: url, displayName: "u.csv")
                Issue.record("expected an error for \(text.debugDescription)")
            } catch let e as InputError {
                #expect(e.line == line && e.message.contains(fragment), "\(e)")
            }
        }
        try check("name,lon,lat\nA,1,2\n", line: 1, "population")
        try check("name,lon,lat,population\nA,1,2,3\nA,1,2,4\n", line: 3, "twice")
        try check("name,lon,lat,population\nA,1,2,3.5\n", line: 2, "whole")
        try check("name,lon,lat,population\nA,1,x,3\n", line: 2, "lat")
        try check("name,lon,lat,population\nA,200,2,3\n", line: 2, "out of range")
        // Disc mode without area: error on the unit's line.
        let url = dir.appendingPathComponent("ok.csv")
        try "name,lon,lat,population\nA,1,2,3\n".write(to: url, atomically: true, encoding: .utf8)
        let units = try ZoneUnit.loadUnits(from: url, displayName: "ok.csv")
        #expect(units[0].code == "00001")
        #expect(throws: InputError.self) { try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 500, seed: 1, unitsFile: "ok.csv") }
    }

    /// The bundled Hanoi scenario: regenerating `residents.csv` from `units.csv`, `zones.geojson`
    /// and the WorldPop 2020 grid (`../shared/data`) with the documented command's parameters
    /// (`--weights … --spacing-m 250 --seed 2025`, data/hanoi/README.md) gives the committed file
    /// byte for byte, the official 2025 total 8,811,473 (sapnhap.bando.com.vn,
    /// ../shared/data/SOURCES.md), every unit total, and every point in its zone.
    @Test func bundledHanoiResidentsAreReproducible() throws {
        guard let grid = try SharedData.require("population/hanoi_worldpop2020_1km.asc") else { return }
        let dir = SharedData.bundledData.appendingPathComponent("hanoi")
        let unitsURL = dir.appendingPathComponent("units.csv"), zonesURL = dir.appendingPathComponent("zones.geojson")
        let residentsURL = dir.appendingPathComponent("residents.csv")
        guard FileManager.default.fileExists(atPath: residentsURL.path) else {
            Issue.record("data/hanoi/residents.csv is missing"); return
        }
        let units = try ZoneUnit.loadUnits(from: unitsURL)
        let zones = try ZonePolygon.loadZones(from: zonesURL)
        #expect(units.count == 126 && zones.count == 126)
        let result = try ZoneDisaggregation.residents(units: units, zones: zones, weights: try DasymetricWeights.load(from: grid),
                                                      spacingMeters: 250, seed: 2025)
        #expect(result.uniformFallbackZones.isEmpty, "every Hanoi unit overlaps populated WorldPop cells")
        let residents = result.residents
        #expect(residents.reduce(0) { $0 + $1.population } == 8_811_473)
        #expect(residents.count > 40_000 && residents.count < 70_000, "\(residents.count)")
        var byZone: [String: Double] = [:]
        for r in residents { byZone[r.zone!, default: 0] += r.population }
        for u in units { #expect(byZone[u.name] == Double(u.population), "\(u.name)") }
        let zoneByName = Dictionary(uniqueKeysWithValues: zones.map { ($0.name, $0) })
        for r in residents { #expect(zoneByName[r.zone!]!.contains(r.position), "\(r.id)") }
        let committed = try String(contentsOf: residentsURL, encoding: .utf8)
        #expect(ZoneDisaggregation.csv(residents) == committed)
    }
}

/// The weighted (dasymetric) rule: `ZoneDisaggregation.residents(units:zones:weights:…)`.
@Suite("ZoneDisaggregation weighted")
struct ZoneDisaggregationWeightedTests {
    static func ring(_ corners: [(Double, Double)]) -> [LonLat] { ZoneDisaggregationTests.ring(corners) }

    /// A lon/lat rectangle as a zone polygon (counter-clockwise, closed).
    static func rectangle(_ name: String, lon: ClosedRange<Double>, lat: ClosedRange<Double>) -> ZonePolygon {
        ZonePolygon(name: name, parts: [[ring([(lon.lowerBound, lat.lowerBound), (lon.upperBound, lat.lowerBound),
                                               (lon.upperBound, lat.upperBound), (lon.lowerBound, lat.upperBound)])]])
    }

    static func weights(_ text: String) throws -> DasymetricWeights {
        DasymetricWeights(grid: try AsciiGrid.parse(text, fileName: "w.asc"))
    }

    /// Sum of the populations of `residents` inside the open rectangle (plain comparisons).
    static func population(_ residents: [Resident], lon: ClosedRange<Double>, lat: ClosedRange<Double>) -> Double {
        residents.filter { r in
            r.position.lonDegrees > lon.lowerBound && r.position.lonDegrees < lon.upperBound
                && r.position.latDegrees > lat.lowerBound && r.position.latDegrees < lat.upperBound
        }.reduce(0) { $0 + $1.population }
    }

    /// A drawn 3×3 grid of 20° cells (west edge 100°E, south edge 10°S; N = nodata):
    ///
    ///              100°E   120°E   140°E   160°E
    ///     50°N  r0 |  400  |  800  |   N   |
    ///     30°N  r1 |  300  |  600  |  900  |
    ///     10°N  r2 |  200  |   0   | 1000  |
    ///     10°S
    ///
    /// Zone A = lon 110…130 × lat 0…30, population 1,000. Its cell parts, each a share of its cell:
    /// - r1c0: lon 110…120 of 100…120, the full height → ½ → weight 300 × ½ = 150
    /// - r1c1: lon 120…130 of 120…140 → ½ → 600 × ½ = 300
    /// - r2c0: lon ½ × lat 0…10 of −10…10, which is ½ of the area by symmetry about the equator
    ///   → ¼ → 200 × ¼ = 50
    /// - r2c1: population 0 → weight 0 (no residents there)
    /// Total weight 500 → persons 1000 × 150/500 = 300, 1000 × 300/500 = 600, 1000 × 50/500 = 100.
    ///
    /// Zone B = lon 130…150 × lat 10…50, population 2,300: r0c1 lon 130…140 → ½ → 400; r0c2 is
    /// nodata → 0; r1c1 lon 130…140 → ½ → 300; r1c2 lon 140…150 of 140…160 → ½ → 450. Total 1,150
    /// → 2300 × 400/1150 = 800, 600, 900.
    ///
    /// Wrong rules give other numbers: whole-cell weights make A 300 : 600 : 200 (273, 545, 182
    /// persons); raw cell population × overlap area instead of density × overlap weighs the
    /// cells by their size, and a 20° cell at 30…50°N is ≈ 18 % smaller than one at 10…30°N,
    /// which is ≈ 6 % smaller than one at 10°S…10°N (cos-weighted: sin 50 − sin 30 = 0.266,
    /// sin 30 − sin 10 = 0.326, 2 sin 10 = 0.347): B's r0c1 would get ≈ 697 instead of 800 and
    /// A's r2c0 ≈ 106 instead of 100.
    static let drawnGrid = """
        ncols 3
        nrows 3
        xllcorner 100
        yllcorner -10
        cellsize 20
        NODATA_value -9999
        400 800 -9999
        300 600 900
        200 0 1000
        """

    @Test func handDrawnGridSharesFollowDensityTimesOverlap() throws {
        let w = try Self.weights(Self.drawnGrid)
        let a = Self.rectangle("A", lon: 110...130, lat: 0...30), b = Self.rectangle("B", lon: 130...150, lat: 10...50)
        // The weights of the cell parts, by hand (see above).
        let partsA = w.cellParts(of: a).filter { $0.weight > 0 }, partsB = w.cellParts(of: b).filter { $0.weight > 0 }
        #expect(partsA.map { [$0.row, $0.column] } == [[1, 0], [1, 1], [2, 0]])
        #expect(partsB.map { [$0.row, $0.column] } == [[0, 1], [1, 1], [1, 2]])
        for (part, expected) in zip(partsA + partsB, [150.0, 300, 50, 400, 300, 450]) {
            #expect(abs(part.weight - expected) < 1e-9 * expected, "r\(part.row)c\(part.column): \(part.weight)")
        }
        let units = [
            ZoneUnit(code: "A", name: "A", centroid: LonLat(lonDegrees: 120, latDegrees: 15), areaSquareKilometers: nil, population: 1_000),
            ZoneUnit(code: "B", name: "B", centroid: LonLat(lonDegrees: 140, latDegrees: 30), areaSquareKilometers: nil, population: 2_300),
        ]
        let result = try ZoneDisaggregation.residents(units: units, zones: [a, b], weights: w, spacingMeters: 250_000, seed: 11)
        #expect(result.uniformFallbackZones.isEmpty)
        let ra = result.residents.filter { $0.zone == "A" }, rb = result.residents.filter { $0.zone == "B" }
        #expect(ra.reduce(0) { $0 + $1.population } == 1_000)
        #expect(rb.reduce(0) { $0 + $1.population } == 2_300)
        #expect(Self.population(ra, lon: 110...120, lat: 10...30) == 300)
        #expect(Self.population(ra, lon: 120...130, lat: 10...30) == 600)
        #expect(Self.population(ra, lon: 110...120, lat: 0...10) == 100)
        #expect(ra.filter { $0.position.lonDegrees > 120 && $0.position.latDegrees < 10 }.isEmpty, "nobody in the empty cell")
        #expect(Self.population(rb, lon: 130...140, lat: 30...50) == 800)
        #expect(Self.population(rb, lon: 130...140, lat: 10...30) == 600)
        #expect(Self.population(rb, lon: 140...150, lat: 10...30) == 900)
        #expect(rb.filter { $0.position.lonDegrees > 140 && $0.position.latDegrees > 30 }.isEmpty, "nobody in the nodata cell")
        for r in result.residents {
            #expect(r.population >= 1 && r.population == r.population.rounded(), "\(r.id)")
        }
        #expect(ra.first?.id == "uA-0001" && Set(result.residents.map(\.id)).count == result.residents.count)
    }

    /// Zone 105.80–105.84 × 21.00–21.04 over a 2×2 grid of 0.02° cells, with a hole
    /// 105.81–105.83 × 21.02–21.03: the hole takes the lower-right quarter of the NW cell and the
    /// lower-left quarter of the NE cell (a lower half is larger than the upper one by ≈ 7·10⁻⁵ at
    /// 21°N, which moves the shares below 0.01 person), and nothing of the southern cells.
    ///
    ///     cell pop   NW 400, NE 800, SW 1200, SE 1600
    ///     weight     NW 400 × ¾ = 300, NE 800 × ¾ = 600, SW 1200, SE 1600; total 3,700
    ///     persons    zone population 3,700 → 300, 600, 1,200, 1,600
    /// (with the hole ignored: 370, 740, 1,110, 1,480).
    @Test func holesAreSubtracted() throws {
        let w = try Self.weights("ncols 2\nnrows 2\nxllcorner 105.80\nyllcorner 21.00\ncellsize 0.02\n400 800\n1200 1600\n")
        let zone = ZonePolygon(name: "Holed", parts: [[
            Self.ring([(105.80, 21.00), (105.84, 21.00), (105.84, 21.04), (105.80, 21.04)]),
            Self.ring([(105.81, 21.02), (105.81, 21.03), (105.83, 21.03), (105.83, 21.02)]),
        ]])
        let unit = ZoneUnit(code: "H", name: "Holed", centroid: LonLat(lonDegrees: 105.82, latDegrees: 21.02), areaSquareKilometers: nil, population: 3_700)
        let r = try ZoneDisaggregation.residents(units: [unit], zones: [zone], weights: w, spacingMeters: 150, seed: 5).residents
        #expect(r.reduce(0) { $0 + $1.population } == 3_700)
        #expect(Self.population(r, lon: 105.80...105.82, lat: 21.02...21.04) == 300)
        #expect(Self.population(r, lon: 105.82...105.84, lat: 21.02...21.04) == 600)
        #expect(Self.population(r, lon: 105.80...105.82, lat: 21.00...21.02) == 1_200)
        #expect(Self.population(r, lon: 105.82...105.84, lat: 21.00...21.02) == 1_600)
        #expect(Self.population(r, lon: 105.81...105.83, lat: 21.02...21.03) == 0, "nobody in the hole")
    }

    /// A zone smaller than the point spacing: no grid point falls in its two cell parts, so each
    /// part gets one point inside it. Zone 105.805–105.815 × 21.001–21.003 across the line
    /// 105.81 between two 0.01° cells of 100 and 300: each part is half the width and a fifth of
    /// the height of its cell (the two parts have the same area), so the weights are ≈ 10 and
    /// ≈ 30, 1 : 3 → 25 and 75 of its 100 people.
    @Test func partsWithoutGridPointsGetOneInsidePoint() throws {
        let w = try Self.weights("ncols 2\nnrows 1\nxllcorner 105.80\nyllcorner 21.00\ncellsize 0.01\n100 300\n")
        let zone = Self.rectangle("Small", lon: 105.805...105.815, lat: 21.001...21.003)
        let unit = ZoneUnit(code: "S", name: "Small", centroid: LonLat(lonDegrees: 105.81, latDegrees: 21.002), areaSquareKilometers: nil, population: 100)
        let r = try ZoneDisaggregation.residents(units: [unit], zones: [zone], weights: w, spacingMeters: 5_000, seed: 1).residents
        #expect(r.count == 2)
        #expect(r.map(\.population) == [25, 75])
        #expect(r.allSatisfy { zone.contains($0.position) })
        #expect((r.first?.position.lonDegrees ?? 0) < 105.81 && (r.last?.position.lonDegrees ?? 0) > 105.81)
    }

    /// A zone wholly in nodata (and one wholly outside the grid) falls back to the uniform rule:
    /// the same residents as the uniform method, and its name in `uniformFallbackZones`.
    @Test func zoneInNodataFallsBackToUniform() throws {
        let w = try Self.weights("ncols 2\nnrows 1\nxllcorner 105.80\nyllcorner 21.00\ncellsize 0.02\nNODATA_value -1\n-1 500\n")
        let inNodata = Self.rectangle("Nodata", lon: 105.802...105.818, lat: 21.002...21.018)
        let outside = Self.rectangle("Outside", lon: 106.5...106.52, lat: 21.5...21.52)
        let populated = Self.rectangle("Populated", lon: 105.822...105.838, lat: 21.002...21.018)
        let units = [
            ZoneUnit(code: "N", name: "Nodata", centroid: LonLat(lonDegrees: 105.81, latDegrees: 21.01), areaSquareKilometers: nil, population: 1_234),
            ZoneUnit(code: "O", name: "Outside", centroid: LonLat(lonDegrees: 106.51, latDegrees: 21.51), areaSquareKilometers: nil, population: 99),
            ZoneUnit(code: "P", name: "Populated", centroid: LonLat(lonDegrees: 105.83, latDegrees: 21.01), areaSquareKilometers: nil, population: 4_321),
        ]
        let zones = [inNodata, outside, populated]
        let weighted = try ZoneDisaggregation.residents(units: units, zones: zones, weights: w, spacingMeters: 300, seed: 9)
        #expect(weighted.uniformFallbackZones == ["Nodata", "Outside"])
        let uniform = try ZoneDisaggregation.residents(units: Array(units.prefix(2)), zones: zones, spacingMeters: 300, seed: 9)
        #expect(ZoneDisaggregation.csv(weighted.residents.filter { $0.zone != "Populated" }) == ZoneDisaggregation.csv(uniform))
        #expect(weighted.residents.filter { $0.zone == "Populated" }.reduce(0) { $0 + $1.population } == 4_321)
    }

    @Test func sameInputsGiveByteIdenticalOutput() throws {
        let w = try Self.weights(Self.drawnGrid)
        let zones = [Self.rectangle("A", lon: 110...130, lat: 0...30), Self.rectangle("B", lon: 130...150, lat: 10...50)]
        let units = [
            ZoneUnit(code: "A", name: "A", centroid: LonLat(lonDegrees: 120, latDegrees: 15), areaSquareKilometers: nil, population: 987_654),
            ZoneUnit(code: "B", name: "B", centroid: LonLat(lonDegrees: 140, latDegrees: 30), areaSquareKilometers: nil, population: 123_457),
        ]
        func run(_ seed: UInt64) throws -> String {
            ZoneDisaggregation.csv(try ZoneDisaggregation.residents(units: units, zones: zones, weights: w, spacingMeters: 100_000, seed: seed).residents)
        }
        let one = try run(2025), two = try run(2025), other = try run(2026)
        #expect(one == two)
        #expect(one != other)
        #expect(one.hasPrefix("id,lon,lat,population,zone\nuA-0001,"))
    }

    /// Areas on WGS 84: the whole ellipsoid as one rectangle is its published surface area
    /// (510,065,621.724 km²), and a small cell matches M·N·cos φ·Δφ·Δλ (meridional and
    /// prime-vertical radii of curvature at the cell's middle latitude; error O(Δφ²) ≈ 10⁻⁸).
    @Test func cellAreasAreEllipsoidal() {
        let earth = DasymetricWeights.rectangleAreaSquareMeters(widthDegrees: 360, southDegrees: -90, northDegrees: 90)
        #expect(abs(earth / 1e6 - 510_065_621.724) < 1)
        let a = 6_378_137.0, f = 1 / 298.257223563, e2 = f * (2 - f)
        let phi = 21.005 * Double.pi / 180, d = 0.01 * Double.pi / 180
        let w = (1 - e2 * sin(phi) * sin(phi)).squareRoot()
        let expected = a * (1 - e2) / (w * w * w) * (a / w) * cos(phi) * d * d
        let cell = DasymetricWeights.rectangleAreaSquareMeters(widthDegrees: 0.01, southDegrees: 21.0, northDegrees: 21.01)
        #expect(abs(cell / expected - 1) < 1e-6, "\(cell) vs \(expected)")
        let ringArea = DasymetricWeights.ringAreaSquareMeters(Self.ring([(105.8, 21.0), (105.81, 21.0), (105.81, 21.01), (105.8, 21.01)]))
        #expect(abs(ringArea / cell - 1) < 1e-12)
        // A triangle on the cell's diagonal: half the cell, to within the cell's north–south
        // area gradient (the triangle's centroid sits 1/6 of the height off the middle: ≈ 1.1·10⁻⁵).
        let triangle = DasymetricWeights.ringAreaSquareMeters(Self.ring([(105.8, 21.0), (105.81, 21.0), (105.81, 21.01)]))
        #expect(abs(triangle / (cell / 2) - 1) < 3e-5)
    }

    /// Seeded random zones (star-shaped polygons, some with a hole, some crossing the grid's edge)
    /// over a random grid with zeros and nodata: every zone total is exact, persons are whole and
    /// positive, points lie in their polygon and, unless the zone fell back, in a populated cell;
    /// each cell part gets its exact share within one person; the parts of a fully populated grid
    /// add up to the polygon's area.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func zoneTotalsAreExactOnRandomCases(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let columns = 8, rows = 6, cell = 0.01, west = 105.70, south = 20.90
        var text = "ncols \(columns)\nnrows \(rows)\nxllcorner \(west)\nyllcorner \(south)\ncellsize \(cell)\nNODATA_value -9999\n"
        for _ in 0..<rows {
            text += (0..<columns).map { _ -> String in
                let u = rng.unitInterval()
                return u < 0.15 ? "-9999" : u < 0.25 ? "0" : String(Int.random(in: 1...5_000, using: &rng))
            }.joined(separator: " ") + "\n"
        }
        let w = try Self.weights(text)
        var units: [ZoneUnit] = [], zones: [ZonePolygon] = []
        for k in 0..<12 {
            let centre = LonLat(lonDegrees: Double.random(in: 105.69...105.79, using: &rng), latDegrees: Double.random(in: 20.89...20.97, using: &rng))
            let radius = Double.random(in: 0.002...0.03, using: &rng)
            let n = Int.random(in: 3...9, using: &rng)
            let angles = (0..<n).map { Double($0) / Double(n) * 2 * .pi + Double.random(in: 0...(1.5 / Double(n)), using: &rng) }
            let outer = angles.map { t -> (Double, Double) in
                let r = radius * Double.random(in: 0.5...1, using: &rng)
                return (centre.lonDegrees + r * cos(t), centre.latDegrees + r * sin(t))
            }
            var rings = [Self.ring(outer)]
            if k % 3 == 0 {
                // A small square hole around the centre. It is inside: vertices are ≥ 0.5 r from the
                // centre and ≤ 2π/3 + 0.5 rad apart, so every edge passes ≥ 0.13 r from it, and the
                // hole's corners are 0.05·√2 r ≈ 0.07 r away.
                let h = radius * 0.05
                rings.append(Self.ring([(centre.lonDegrees - h, centre.latDegrees - h), (centre.lonDegrees - h, centre.latDegrees + h),
                                        (centre.lonDegrees + h, centre.latDegrees + h), (centre.lonDegrees + h, centre.latDegrees - h)]))
            }
            zones.append(ZonePolygon(name: "Z\(k)", parts: [rings]))
            units.append(ZoneUnit(code: "z\(k)", name: "Z\(k)", centroid: centre, areaSquareKilometers: nil,
                                  population: k == 5 ? 0 : Int.random(in: 1...80_000, using: &rng)))
        }
        let spacing = Double.random(in: 120...600, using: &rng)
        let result = try ZoneDisaggregation.residents(units: units, zones: zones, weights: w, spacingMeters: spacing, seed: seed)
        let fellBack = Set(result.uniformFallbackZones)
        for (unit, zone) in zip(units, zones) {
            let mine = result.residents.filter { $0.zone == unit.name }
            #expect(mine.reduce(0) { $0 + $1.population } == Double(unit.population), "seed \(seed) \(unit.name)")
            for r in mine {
                #expect(r.population == r.population.rounded() && (r.population >= 1 || unit.population == 0), "seed \(seed) \(r.id)")
                #expect(zone.contains(r.position) || r.position == unit.centroid, "seed \(seed) \(r.id) outside its zone")
                if !fellBack.contains(unit.name) {
                    let c = Int(((r.position.lonDegrees - west) / cell).rounded(.down))
                    let b = Int(((r.position.latDegrees - south) / cell).rounded(.down))
                    #expect(w.population(row: rows - 1 - b, column: c) > 0, "seed \(seed) \(r.id) in an empty cell")
                }
            }
            guard !fellBack.contains(unit.name) else { continue }
            let parts = w.cellParts(of: zone).filter { $0.weight > 0 }
            let totalWeight = parts.reduce(0) { $0 + $1.weight }
            for part in parts {
                let got = mine.filter { r in w.cell(containing: r.position).map { $0 == (part.row, part.column) } ?? false }
                    .reduce(0) { $0 + $1.population }
                let exact = Double(unit.population) * part.weight / totalWeight
                #expect(abs(got - exact) <= 1 + 1e-9, "seed \(seed) \(unit.name) r\(part.row)c\(part.column): \(got) vs \(exact)")
            }
        }
        // Clipping conserves area: over a grid populated everywhere, a zone inside the grid is
        // the sum of its cell parts.
        let full = try Self.weights("ncols \(columns)\nnrows \(rows)\nxllcorner \(west)\nyllcorner \(south)\ncellsize \(cell)\n"
                                    + String(repeating: (Array(repeating: "1", count: columns).joined(separator: " ") + "\n"), count: rows))
        for zone in zones where zone.boundingBox.minLonDegrees > west && zone.boundingBox.maxLonDegrees < west + Double(columns) * cell
            && zone.boundingBox.minLatDegrees > south && zone.boundingBox.maxLatDegrees < south + Double(rows) * cell {
            let rings = zone.parts[0]
            let area = DasymetricWeights.ringAreaSquareMeters(rings[0]) - rings.dropFirst().reduce(0) { $0 + DasymetricWeights.ringAreaSquareMeters($1) }
            let sum = full.cellParts(of: zone).reduce(0) { $0 + $1.areaSquareMeters }
            #expect(abs(sum / area - 1) < 1e-9, "seed \(seed) \(zone.name): \(sum) vs \(area)")
        }
    }

    @Test func weightsNeedPolygons() throws {
        let w = try Self.weights(Self.drawnGrid)
        let unit = ZoneUnit(code: "A", name: "A", centroid: LonLat(lonDegrees: 120, latDegrees: 15), areaSquareKilometers: 100, population: 10)
        #expect(throws: InputError.self) { try ZoneDisaggregation.residents(units: [unit], zones: [], weights: w, spacingMeters: 500, seed: 1) }
    }
}
