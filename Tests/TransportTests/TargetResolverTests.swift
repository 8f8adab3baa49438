import Testing

@testable import Transport

/// RFC 3263's procedure over a table of DNS records, without DNS.
@Suite("Locating a server by name (RFC 3263, RFC 2782)")
struct TargetResolverTests {
  struct Table: NameLookup {
    var addresses: [String: [String]] = [:]
    var srv: [String: [DNSAnswer.SRV]] = [:]
    var naptr: [String: [DNSAnswer.NAPTR]] = [:]

    func addresses(of name: String) throws(ResolutionError) -> [String] { addresses[name] ?? [] }
    func srv(_ name: String) throws(ResolutionError) -> [DNSAnswer.SRV] { srv[name] ?? [] }
    func naptr(_ name: String) throws(ResolutionError) -> [DNSAnswer.NAPTR] { naptr[name] ?? [] }
  }

  static func srv(_ name: String, _ priority: UInt16, _ weight: UInt16, _ port: UInt16, _ target: String)
    -> DNSAnswer.SRV
  {
    DNSAnswer.SRV(name: name, priority: priority, weight: weight, port: port, target: target)
  }

  static let lab = Table(
    addresses: [
      "esc.example.test": ["10.0.0.2", "fd00::2"], "a.example.test": ["10.0.0.99"],
      "b.example.test": ["10.0.0.2"],
    ],
    srv: [
      "_sip._udp.example.test": [
        srv("_sip._udp.example.test", 20, 0, 5070, "b.example.test"),
        srv("_sip._udp.example.test", 10, 0, 5060, "a.example.test"),
      ],
      "_sip._tcp.tcponly.test": [srv("_sip._tcp.tcponly.test", 10, 0, 5090, "b.example.test")],
    ],
    naptr: [
      "example.test": [
        DNSAnswer.NAPTR(
          order: 20, preference: 0, flags: "s", service: "SIP+D2U", replacement: "_sip._udp.example.test"),
        DNSAnswer.NAPTR(
          order: 10, preference: 0, flags: "s", service: "SIP+D2X", replacement: "_sip._x.example.test"),
      ]
    ])

  func resolve(_ uri: String, _ table: Table = lab) throws -> [ResolvedTarget] {
    try TargetResolver(lookup: table).resolve(try SIPTarget.parse(uri))
  }

  @Test func anIPLiteralIsUsedAsItIsWithTheDefaultPort() throws {
    let found = try resolve("sip:[fd00::2]")
    #expect(found.map(\.endpoint) == [SIPEndpoint(transport: .udp, host: "fd00::2", port: 5060)])
    #expect(try resolve("sips:10.0.0.2").map(\.endpoint.port) == [5061])
  }

  @Test func aNameWithAPortIsEachOfItsAddressesInOrder() throws {
    let found = try resolve("sip:ESC.example.test:5080;transport=tcp")
    #expect(found.map(\.endpoint.host) == ["10.0.0.2", "fd00::2"])
    #expect(found.allSatisfy { $0.endpoint.port == 5080 && $0.endpoint.transport == .tcp })
    #expect(found.allSatisfy { $0.endpoint.name == "esc.example.test" })
    #expect(found.map(\.how) == ["A record of esc.example.test", "AAAA record of esc.example.test"])
  }

  @Test func aNameWithoutAPortGoesThroughSRVByPriority() throws {
    let found = try resolve("sip:example.test;transport=udp")
    #expect(found.map(\.endpoint.uri) == ["sip:10.0.0.99:5060", "sip:10.0.0.2:5070"])
    #expect(found[0].how.contains("SRV _sip._udp.example.test → a.example.test:5060 (priority 10"))
    // The domain, not the SRV host, is the name a TLS certificate is checked against (RFC 5922).
    #expect(found.allSatisfy { $0.endpoint.name == "example.test" })
  }

  @Test func naptrChoosesTheTransportWhenNoneWasAsked() throws {
    let found = try resolve("sip:example.test")
    #expect(found.first?.how.hasPrefix("NAPTR SIP+D2U → SRV _sip._udp.example.test") == true)
  }

  @Test func withoutNAPTREachTransportsSRVIsTriedInTurn() throws {
    let found = try resolve("sip:tcponly.test")
    #expect(
      found.map(\.endpoint) == [
        SIPEndpoint(transport: .tcp, host: "10.0.0.2", port: 5090, name: "tcponly.test")
      ])
    // An explicit transport is kept: no TCP record for UDP.
    #expect(throws: ResolutionError.self) { try resolve("sip:tcponly.test;transport=udp") }
  }

  @Test func aNameWithoutSRVFallsBackToItsAddressesOnTheDefaultPort() throws {
    #expect(
      try resolve("sips:esc.example.test").map(\.endpoint.uri) == [
        "sips:10.0.0.2:5061", "sips:[fd00::2]:5061",
      ])
  }

  @Test func aNameThatResolvesToNothingSaysSo() {
    #expect(throws: ResolutionError(name: "nowhere.test", reason: "does not resolve (no A or AAAA record)")) {
      try resolve("sip:nowhere.test:5060")
    }
    #expect(
      throws: ResolutionError(name: "nowhere.test", reason: "does not resolve (no SRV, A or AAAA record)")
    ) {
      try resolve("sip:nowhere.test")
    }
  }

  @Test func localhostNeverAsksDNS() throws {
    #expect(try resolve("sip:localhost", Table()).map(\.endpoint.host) == ["127.0.0.1"])
  }

  @Test func srvWeightsShareTheDrawsInProportion() {
    let records = [
      Self.srv("s", 1, 10, 1, "light"), Self.srv("s", 1, 90, 2, "heavy"), Self.srv("s", 0, 0, 3, "first"),
    ]
    var generator = SeededGenerator(seed: 7)
    var heavyFirst = 0
    for _ in 0..<2_000 {
      let order = TargetResolver.ordered(records, using: &generator)
      #expect(order.first?.target == "first")
      #expect(order.count == 3)
      if order[1].target == "heavy" { heavyFirst += 1 }
    }
    // 90 % expected; the bounds are wide (a seeded generator makes the count fixed anyway).
    #expect((1_600...1_950).contains(heavyFirst))
  }
}

/// SplitMix64, for draws a test can repeat.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
