import Testing

@testable import Publication

@Suite("RFC 3903 operation table")
struct PublishOperationTests {
  @Test(arguments: [
    (true, false, UInt32?(3600), PublishOperation?.some(.initial)),
    (true, false, nil, .initial),
    (false, true, 3600, .refresh),
    (false, true, nil, .refresh),
    (true, true, 3600, .modify),
    (false, true, 0, .remove),
    (true, true, 0, .remove),
    (false, false, 3600, nil),
    (false, false, 0, nil),
  ])
  func classifies(hasBody: Bool, hasIfMatch: Bool, expires: UInt32?, expected: PublishOperation?) {
    #expect(PublishOperation.classify(hasBody: hasBody, hasIfMatch: hasIfMatch, expires: expires) == expected)
  }
}
