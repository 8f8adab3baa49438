import Testing

@testable import Transport

@Suite("--local-ip addresses and ranges; --listen expansion")
struct LocalAddressListTests {
  @Test func addressesAndRangesExpandInOrderWithoutRepeats() throws {
    #expect(
      try LocalAddressList.expand(["10.0.0.11", "10.0.0.8/30", "10.0.0.9", "fd00::11/127"])
        == ["10.0.0.11", "10.0.0.9", "10.0.0.10", "fd00::10", "fd00::11"])
    #expect(
      try LocalAddressList.expand(["192.168.1.7/32", "10.1.2.3/31"]) == [
        "192.168.1.7", "10.1.2.2", "10.1.2.3",
      ])
  }

  @Test(arguments: [
    ("10.0.0.1/33", "the prefix length must be 0 to 32"),
    ("10.0.0.0/8", "a /8 holds more than 1024 addresses"),
    ("esc.example.test", "not an IP address or CIDR range"),
    ("10.0.0.1/", "the prefix length must be 0 to 32"),
  ])
  func badItemsAreRefusedWithTheReason(text: String, reason: String) {
    #expect(throws: LocalAddressList.Invalid(text: text, reason: reason)) {
      try LocalAddressList.expand([text])
    }
  }

  @Test func aUDPWildcardListensOnEachAddressOfItsFamilyAndTCPKeepsIt() throws {
    let machine = ["127.0.0.1", "10.0.0.1", "::1", "fd00::1"]
    let lookup = TargetResolverTests.Table(addresses: ["esc.example.test": ["10.0.0.1", "fd00::1"]])
    func hosts(_ uri: String) throws -> [String] {
      try ListenAddresses.expand(SIPTarget.parse(uri), interfaces: machine, lookup: lookup).map(\.host)
    }
    #expect(try hosts("sip:0.0.0.0:5060") == ["127.0.0.1", "10.0.0.1"])
    #expect(try hosts("sip:[::]:5060") == ["::1", "fd00::1"])
    #expect(try hosts("sip:0.0.0.0:5060;transport=tcp") == ["0.0.0.0"])
    #expect(try hosts("sip:esc.example.test") == ["10.0.0.1", "fd00::1"])
    #expect(throws: ResolutionError.self) { try hosts("sip:nowhere.test") }
  }
}
