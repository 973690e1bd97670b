import Foundation
import Testing
import ReachGeo
import TestSupport

@Suite("AsciiGrid")
struct AsciiGridTests {
    /// A 3 × 2 grid, lower-left corner (100.0, 20.0), cells 0.5°.
    /// Hand-computed cell centres: lon = 100.0 + (col + 0.5)·0.5 → 100.25, 100.75, 101.25;
    /// lat = 20.0 + (nrows − row − 0.5)·0.5 → row 0: 20.75, row 1: 20.25.
    /// Values: row 0 = 1.5, 0, nodata; row 1 = nodata, 2, 10 → residents r0c0 (1.5),
    /// r1c1 (2), r1c2 (10); total 13.5; 2 nodata cells, 1 zero cell.
    static let small = """
        NCOLS 3
        nrows 2
        xllcorner 100.0
        yllcorner 20.0
        cellsize 0.5
        NODATA_value -9999
        1.5 0 -9999
        -9999 2 10

        """

    @Test func smallGridValuesNodataAndCentres() throws {
        let grid = try AsciiGrid.parse(Self.small, fileName: "small.asc")
        #expect(grid.columnCount == 3 && grid.rowCount == 2)
        #expect(grid.nodataCellCount == 2 && grid.zeroCellCount == 1)
        #expect(grid.totalPopulation == 13.5)
        let r = grid.residents()
        #expect(r.map(\.id) == ["r0c0", "r1c1", "r1c2"])
        #expect(r.map(\.population) == [1.5, 2, 10])
        #expect(r.map(\.position) == [LonLat(lonDegrees: 100.25, latDegrees: 20.75),
                                      LonLat(lonDegrees: 100.75, latDegrees: 20.25),
                                      LonLat(lonDegrees: 101.25, latDegrees: 20.25)])
        // Row 0 is on line 7, row 1 on line 8.
        #expect(r.map(\.sourceLine) == [7, 8, 8])
    }

    @Test func centreVariantAndAnyOrderGiveTheSameCells() throws {
        // xllcenter/yllcenter are the centre of the lower-left cell: 100.0 + 0.25, 20.0 + 0.25.
        let text = """
            cellsize 0.5
            yllcenter 20.25
            XLLCENTER 100.25
            nrows 2
            ncols 3
            nodata_value -9999
            1.5 0 -9999
            -9999 2 10
            """
        let a = try AsciiGrid.parse(Self.small, fileName: "a.asc").residents()
        let b = try AsciiGrid.parse(text, fileName: "b.asc").residents()
        #expect(a.map(\.id) == b.map(\.id))
        for (x, y) in zip(a, b) {
            #expect(abs(x.position.lonDegrees - y.position.lonDegrees) < 1e-12)
            #expect(abs(x.position.latDegrees - y.position.latDegrees) < 1e-12)
        }
    }

    @Test func dxDyCellsAndNoNodata() throws {
        // dx 0.5, dy 0.25: lat centres 20 + (2 − row − 0.5)·0.25 → 20.375, 20.125.
        let text = "ncols 2\nnrows 2\nxllcorner 0\nyllcorner 20\ndx 0.5\ndy 0.25\n1 2\n3 4\n"
        let r = try AsciiGrid.parse(text, fileName: "d.asc").residents()
        #expect(r.map(\.id) == ["r0c0", "r0c1", "r1c0", "r1c1"])
        #expect(r[1].position == LonLat(lonDegrees: 0.75, latDegrees: 20.375))
        #expect(r[2].position == LonLat(lonDegrees: 0.25, latDegrees: 20.125))
    }

    /// Number forms: the reader's own decimal parser must give exactly what Swift's
    /// `Double(String)` gives (an independent, correctly rounded parser), including the
    /// forms that take the slow path (exponents, more than 15 digits).
    @Test func numberFormsMatchSwiftsParser() throws {
        // All within the accepted population range 0.001…1e12 (README "Value ranges").
        let tokens = ["0.1", "0.3", "138.154", "+2.5", "7", "5.", ".5", "0.00123", "999999999999",
                      "123456789012.3456789", "98765.4321098765432", "1e3", "2.5E-1", "44012.71875", "0"]
        var rng = SplitMix64(seed: 99)
        var all = tokens
        for _ in 0..<200 {
            let whole = Int.random(in: 0...99_999, using: &rng), frac = Int.random(in: 0...999_999, using: &rng)
            all.append("\(whole).\(frac)")
        }
        let text = "ncols \(all.count)\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 0.001\n" + all.joined(separator: " ") + "\n"
        let grid = try AsciiGrid.parse(text, fileName: "n.asc")
        let byColumn = Dictionary(uniqueKeysWithValues: grid.cells.map { (Int($0.column), $0.population) })
        for (k, token) in all.enumerated() {
            let expected = Double(token)!
            if expected == 0 { #expect(byColumn[k] == nil); continue }
            #expect(byColumn[k] == expected, "\(token)")
        }
    }

    /// Every malformed input, with the line the error must name.
    @Test(arguments: [
        // (text, line, a word the message must contain)
        ("nrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n5\n", 5, "ncols"),                     // missing ncols
        ("ncols 1\nnrows 1\nncols 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n5\n", 3, "duplicate"),
        ("ncols 0\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n5\n", 1, "positive"),
        ("ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize -1\n5\n", 5, "positive"),
        ("ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\ndx 1\n5\n", 6, "both"),
        ("ncols 1\nnrows 1\nxllcorner 0\nxllcenter 0\nyllcorner 0\ncellsize 1\n5\n", 4, "both"),
        ("ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\nfoo 3\n5\n", 6, "unknown"),
        ("ncols 1\nnrows 1\nxllcorner zero\nyllcorner 0\ncellsize 1\n5\n", 3, "not a decimal number"),
        ("ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n3\n", 7, "expected ncols"), // short row
        ("ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2 3\n3 4\n", 6, "more than"), // long row
        ("ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n", 7, "too few rows"),
        ("ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n3 4\n", 7, "too many rows"),
        ("ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 abc\n", 6, "not a decimal number"),
        ("ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 nan\n", 6, "not a decimal number"),
        ("ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\nNODATA_value -9999\n1 -5\n", 7, "negative"),
        ("ncols 2\nnrows 1\nxllcorner 500000\nyllcorner 0\ncellsize 1\n1 2\n", 3, "WGS 84"),
    ])
    func malformedGridNamesTheLine(text: String, line: Int, fragment: String) {
        do {
            _ = try AsciiGrid.parse(text, fileName: "bad.asc")
            Issue.record("expected an error for \(text.debugDescription)")
        } catch let error as InputError {
            #expect(error.file == "bad.asc")
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// The WorldPop 2020 1 km grid of Hanoi: SOURCES.md gives 4,190 cells summing to 8,241,449,
    /// and `hanoi_worldpop2020_1km_cells.csv` lists each cell (id, centre, population) — an
    /// independent export of the same raster (rasterio), so ids, centres and values must agree.
    @Test func worldPopHanoiGrid() throws {
        guard let asc = try SharedData.require("population/hanoi_worldpop2020_1km.asc"),
              let cellsURL = try SharedData.require("population/hanoi_worldpop2020_1km_cells.csv") else { return }
        let grid = try AsciiGrid.read(from: asc)
        let residents = grid.residents()
        #expect(residents.count == 4_190)
        let total = residents.reduce(0) { $0 + $1.population }
        #expect(abs(total - 8_241_449) / 8_241_449 < 0.001, "total \(total)")

        let records = try CSVReader.read(url: cellsURL)
        let header = records[0].fields
        let id = header.firstIndex(of: "cell_id")!, lon = header.firstIndex(of: "lon_center")!
        let lat = header.firstIndex(of: "lat_center")!, pop = header.firstIndex(of: "population_2020_UNadj_WorldPop")!
        var expected: [String: (LonLat, Double)] = [:]
        for r in records.dropFirst() {
            expected[r.fields[id]] = (LonLat(lonDegrees: Double(r.fields[lon])!, latDegrees: Double(r.fields[lat])!), Double(r.fields[pop])!)
        }
        #expect(expected.count == 4_190)
        #expect(Set(residents.map(\.id)) == Set(expected.keys))
        // The example quoted in the issue: r1c61 at 105.794583, 21.378750.
        let r1c61 = try #require(residents.first { $0.id == "r1c61" })
        #expect(abs(r1c61.position.lonDegrees - 105.794583) < 1e-6 && abs(r1c61.position.latDegrees - 21.378750) < 1e-6)
        for r in residents {
            guard let (p, value) = expected[r.id] else { continue }
            // The CSV has 6 decimals: agreement within half a unit in the last place (+ float slack).
            #expect(abs(r.position.lonDegrees - p.lonDegrees) <= 6e-7 && abs(r.position.latDegrees - p.latDegrees) <= 6e-7, "\(r.id)")
            #expect(abs(r.population - value) <= 0.0005 + 1e-9 * value, "\(r.id)")
        }
    }
}
