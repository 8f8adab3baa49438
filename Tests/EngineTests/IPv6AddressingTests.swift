import NIOCore
import Publication
import SIPCore
import Testing
import Transport

@_spi(Benchmarks) @testable import Engine

/// Every host pubsim writes for an IPv6 target is in brackets (RFC 3261 §25.1, RFC 5954): a
/// server reads `sip:alice@fd00::2` as a host `fd00` with a port of `:2`, and refuses it.
@Suite("IPv6 hosts in what pubsim sends")
struct IPv6AddressingTests {
  static func parsed(_ text: String) throws -> SIPMessage {
    try SIPParser().parse(Array(text.utf8))
  }

  @Test func aPublishToAnIPv6DomainBracketsItEverywhere() throws {
    let writer = RequestWriter(transport: .udp, sentBy: HostPort(host: "fd00::1", port: 40_000).description)
    let publisher = PublisherIdentity(
      user: "alice", domain: "fd00::2", number: 1, runTag: "t", event: "presence",
      contentType: "application/pidf+xml", password: nil)
    let request = PublisherStateMachine.Request(
      operation: .refresh, ifMatch: "abc", expires: 3600, intendedAt: 0)
    var buffer = ByteBuffer()
    writer.write(
      .init(
        request: request, cseq: 2, branch: BranchCode(run: 1, shard: 0, slot: 0, generation: 0), body: []),
      for: publisher, into: &buffer)
    let message = try Self.parsed(String(buffer: buffer))
    #expect(message.requestURI == "sip:alice@[fd00::2]")
    #expect(message.headers[.from]?.hasPrefix("<sip:alice@[fd00::2]>") == true)
    #expect(message.headers[.to] == "<sip:alice@[fd00::2]>")
    #expect(message.topVia?.host == "fd00::1")
    #expect(message.headers[.via]?.hasPrefix("SIP/2.0/UDP [fd00::1]:40000;") == true)
    #expect(publisher.aor == "alice@[fd00::2]")
  }

  @Test func thePreflightOptionsWritesHostsTheSIPWay() throws {
    let target = SIPEndpoint(transport: .udp, host: "fd00::2", port: 5060)
    let message = try Self.parsed(
      TargetProbe.options(to: target, from: HostPort(host: "fd00::1", port: 4000)))
    #expect(message.requestURI == "sip:[fd00::2]:5060")
    #expect(message.headers[.to] == "<sip:[fd00::2]:5060>")
    #expect(message.headers[.from]?.hasPrefix("<sip:pubsim@[fd00::1]>") == true)
    #expect(message.headers[.via]?.hasPrefix("SIP/2.0/UDP [fd00::1]:4000;") == true)
    let named = SIPEndpoint(transport: .udp, host: "10.0.0.2", port: 5060, name: "esc.example.test")
    let byName = try Self.parsed(TargetProbe.options(to: named, from: HostPort(host: "10.0.0.1", port: 4000)))
    #expect(byName.requestURI == "sip:esc.example.test:5060")
  }

  @Test func theSourceAddressIsTheOneTheSystemRoutesThrough() throws {
    #expect(try SourceAddress.toward(SocketAddress(ipAddress: "127.0.0.1", port: 5060)) == "127.0.0.1")
    #expect(try SourceAddress.toward(SocketAddress(ipAddress: "127.0.0.9", port: 5060)) == "127.0.0.1")
  }
}
