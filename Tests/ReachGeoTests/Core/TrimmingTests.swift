import Testing
@testable import ReachGeo

/// `trimmingWhitespace()` must trim exactly what Foundation's `.whitespaces` trims (spaces, tabs and
/// the Unicode space separators such as U+00A0 and U+3000), fast path or not.
struct TrimmingTests {
    @Test(arguments: [
        ("r1", "r1"), (" r1", "r1"), ("r1 ", "r1"), ("\tr1\t", "r1"), ("  ", ""), ("", ""),
        ("a b", "a b"), ("\u{00A0}105.8", "105.8"), ("105.8\u{3000}", "105.8"), ("Hà Nội", "Hà Nội"),
        ("Nội ", "Nội"), ("r1\n", "r1\n"),
    ])
    func trimsLikeFoundation(input: String, expected: String) {
        #expect(input.trimmingWhitespace() == expected)
        #expect(input.trimmingWhitespace() == input.trimmingCharacters(in: .whitespaces))
        #expect(input[...].trimmingWhitespace() == expected)
    }
}
