import Testing

@testable import Engine

@Suite("Branch codes")
struct BranchCodeTests {
  @Test func roundTrips() {
    let code = BranchCode(run: 123_456, shard: 1, slot: 99_999, generation: 7)
    #expect(code.text.hasPrefix("z9hG4bK-"))
    #expect(BranchCode(code.text) == code)
  }

  @Test(arguments: ["z9hG4bK-1-2-3", "z9hG4bKabc", "x-1-2-3-4", "z9hG4bK-zz!-1-2-3", ""])
  func foreignBranchesDoNotDecode(branch: String) {
    #expect(BranchCode(branch) == nil)
  }
}
