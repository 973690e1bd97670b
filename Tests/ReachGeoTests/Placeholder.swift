import Testing

@Test func placeholderReachGeoTests() { #expect(1 + 1 == 2) }
