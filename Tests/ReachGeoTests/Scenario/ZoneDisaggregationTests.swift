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

    /// The bundled Hanoi scenario: regenerating `residents.csv` from `units.csv` and
    /// `zones.geojson` with the documented command's parameters gives the committed file byte
    /// for byte, the official 2025 total 8,811,473 (sapnhap.bando.com.vn, ../shared/data/SOURCES.md), and every point in its zone.
    @Test func bundledHanoiResidentsAreReproducible() throws {
        let dir = SharedData.bundledData.appendingPathComponent("hanoi")
        let unitsURL = dir.appendingPathComponent("units.csv"), zonesURL = dir.appendingPathComponent("zones.geojson")
        let residentsURL = dir.appendingPathComponent("residents.csv")
        guard FileManager.default.fileExists(atPath: residentsURL.path) else {
            Issue.record("data/hanoi/residents.csv is missing"); return
        }
        let units = try ZoneUnit.loadUnits(from: unitsURL)
        let zones = try ZonePolygon.loadZones(from: zonesURL)
        #expect(units.count == 126 && zones.count == 126)
        let residents = try ZoneDisaggregation.residents(units: units, zones: zones, spacingMeters: 500, seed: 2025)
        #expect(residents.reduce(0) { $0 + $1.population } == 8_811_473)
        #expect(residents.count > 10_000 && residents.count < 30_000, "\(residents.count)")
        #expect(Set(residents.compactMap(\.zone)).count == 126)
        let zoneByName = Dictionary(uniqueKeysWithValues: zones.map { ($0.name, $0) })
        let unitByName = Dictionary(uniqueKeysWithValues: units.map { ($0.name, $0) })
        for r in residents {
            let inside = zoneByName[r.zone!]!.contains(r.position)
            #expect(inside || r.position == unitByName[r.zone!]!.centroid, "\(r.id)")
        }
        let committed = try String(contentsOf: residentsURL, encoding: .utf8)
        #expect(ZoneDisaggregation.csv(residents) == committed)
    }
}
