import Foundation
import Testing
@testable import ReachGeo

/// Files over 4 MiB without quotes are parsed in pieces on every core; the records and lines must
/// be those of the one-piece parse (the reference), and an error must name the same line.
@Suite struct CSVParallelTests {
    /// About 6 MB: LF and CRLF line ends, a CR alone, blank lines, Vietnamese text; a BOM.
    static func bigTable(badLine: Int? = nil) -> Data {
        var text = "\u{FEFF}id,lon,lat,population,zone\n"
        var line = 1
        var i = 0
        while text.utf8.count < 6_000_000 {
            i += 1; line += 1
            let end = i % 7 == 0 ? "\r\n" : (i % 101 == 0 ? "\r" : "\n")
            let zone = line == badLine ? "Phường\u{01}" : "Phường Ô Chợ Dừa \(i % 126)"
            text += "r\(i),\(105.5 + Double(i % 1000) / 1000),21.0\(i % 10),\(i % 500),\(zone)\(end)"
            if i % 997 == 0 { text += "\n"; line += 1 }
        }
        return Data(text.utf8)
    }

    @Test func piecesGiveTheRecordsAndLinesOfOnePiece() throws {
        let data = Self.bigTable()
        #expect(data.count >= CSVReader.parallelMinimumBytes)
        let parallel = try CSVReader.parse(data, fileName: "big.csv")
        let single = try data.withUnsafeBytes { try CSVReader.parseRecords($0.bindMemory(to: UInt8.self), fileName: "big.csv") }
        #expect(parallel.count == single.count)
        #expect(parallel.map(\.line) == single.map(\.line))
        #expect(parallel.map(\.fields) == single.map(\.fields))
        #expect(single.first?.fields.first == "id")
        // Some line numbers past the middle of the file, where the second piece starts.
        #expect(single.count > 100_000 && Set(single.map(\.line)).count == single.count)
    }

    @Test func anErrorInTheSecondHalfNamesTheSameLine() throws {
        let data = Self.bigTable(badLine: 100_000)
        var lineOfError: [Int?] = []
        for parse in [
            { try CSVReader.parse(data, fileName: "big.csv") },
            { try data.withUnsafeBytes { try CSVReader.parseRecords($0.bindMemory(to: UInt8.self), fileName: "big.csv") } },
        ] {
            do { _ = try parse(); lineOfError.append(nil) } catch let e as InputError { lineOfError.append(e.line) }
        }
        #expect(lineOfError == [100_000, 100_000])
    }
}
