import Testing

@Test func placeholderReachCLITests() { #expect(1 + 1 == 2) }
