import Testing

@_spi(Benchmarks) @testable import Engine

@Suite("Branch codes")
struct BranchCodeTests {
  @Test func roundTrips() {
    let code = BranchCode(run: 123_456, shard: 1, slot: 99_999, generation: 7)
    #expect(code.text.hasPrefix("z9hG4bK-"))
    #expect(BranchCode(code.text) == code)
    #expect(BranchCode(run: 0, shard: 0, slot: 35, generation: 36).text == "z9hG4bK-0-0-z-10")
    let widest = BranchCode(run: .max, shard: 3, slot: Int(Int32.max), generation: .max)
    #expect(BranchCode(widest.text) == widest)
    #expect(BranchCode("Z9HG4BK-1-2-3-4") == nil, "the magic cookie is matched as written")
  }

  @Test(arguments: [
    "z9hG4bK-1-2-3", "z9hG4bKabc", "x-1-2-3-4", "z9hG4bK-zz!-1-2-3", "", "z9hG4bK-1-2-3-4-5",
    "z9hG4bK-1--3-4",
    "z9hG4bK-1-2-3-", "z9hG4bK-zzzzzzzzzzzzz-1-2-3", "z9hG4bK-1-2-3-zzzzzzz",
  ])
  func foreignBranchesDoNotDecode(branch: String) {
    #expect(BranchCode(branch) == nil)
  }
}
