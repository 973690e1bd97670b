import Testing

@Test func placeholderReachPlannerTests() { #expect(1 + 1 == 2) }
