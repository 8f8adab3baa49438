import NIOCore
import Publication
import Testing
import Transport

@_spi(Benchmarks) @testable import Engine

/// The PUBLISH pubsim writes, byte for byte: every header in its place, numbers in decimal, the
/// branch in base 36, and each fault's one change.
@Suite("Writing a PUBLISH")
struct RequestWriterTests {
  static let identity = PublisherIdentity(
    user: "alice7", domain: "example.test", number: 1_234_567, runTag: "k3j9", event: "presence",
    contentType: "application/pidf+xml", password: nil)
  static let branch = BranchCode(run: 9, shard: 1, slot: 1_295, generation: .max)

  static func written(
    _ request: PublisherStateMachine.Request, body: [UInt8], authorization: (String, String)? = nil
  )
    -> String
  {
    var buffer = ByteBuffer()
    let writer = RequestWriter(transport: .udp, sentBy: "127.0.0.1:40000")
    writer.write(
      .init(
        request: request, cseq: 4_000_000_000, branch: branch, body: body,
        authorization: authorization.map { (name: $0.0, value: $0.1) }),
      for: identity, into: &buffer)
    return String(buffer: buffer)
  }

  @Test func aModifyWithEveryPartIsWrittenInFull() {
    let request = PublisherStateMachine.Request(
      operation: .modify, ifMatch: "a1b2c3d4e5f6g7h8i9", expires: 3600, intendedAt: 0)
    let text = Self.written(
      request, body: Array("<presence/>".utf8), authorization: ("Authorization", "Digest username=\"alice7\"")
    )
    #expect(
      text == "PUBLISH sip:alice7@example.test SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-9-1-zz-1z141z3;rport\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice7@example.test>;tag=p1234567\r\n"
        + "To: <sip:alice7@example.test>\r\nCall-ID: pubsim-k3j9-1234567\r\nCSeq: 4000000000 PUBLISH\r\n"
        + "Event: presence\r\nExpires: 3600\r\nSIP-If-Match: a1b2c3d4e5f6g7h8i9\r\n"
        + "Authorization: Digest username=\"alice7\"\r\nContent-Type: application/pidf+xml\r\n"
        + "User-Agent: pubsim\r\nContent-Length: 11\r\n\r\n<presence/>")
  }

  @Test func faultsChangeTheirOneThing() {
    var request = PublisherStateMachine.Request(
      operation: .refresh, ifMatch: "t1", expires: 60, intendedAt: 0)
    request.fault = .staleEntityTag
    #expect(Self.written(request, body: []).contains("SIP-If-Match: t1-stale\r\n"))
    request.fault = .shortExpires
    #expect(Self.written(request, body: []).contains("Expires: 1\r\n"))
    request.fault = .unknownEvent
    #expect(Self.written(request, body: []).contains("Event: pubsim-unknown-package\r\n"))
    request.fault = .missingBody
    let missing = Self.written(request, body: Array("<x/>".utf8))
    #expect(missing.hasSuffix("Content-Length: 0\r\n\r\n") && !missing.contains("Content-Type"))
    request.fault = .unsupportedContentType
    #expect(Self.written(request, body: [1]).contains("Content-Type: application/x-pubsim-unknown\r\n"))
  }

  /// A body far beyond the fixed room is still written whole (the room grows with it).
  @Test func aLargeBodyAndLongNamesFit() {
    let body = [UInt8](repeating: UInt8(ascii: "x"), count: 60_000)
    let request = PublisherStateMachine.Request(
      operation: .initial, ifMatch: String(repeating: "e", count: 3_000), expires: 60, intendedAt: 0)
    let text = Self.written(
      request, body: body, authorization: ("Authorization", String(repeating: "a", count: 5_000)))
    #expect(text.hasSuffix("Content-Length: 60000\r\n\r\n" + String(repeating: "x", count: 60_000)))
  }
}
