import NIOCore
import Publication
import SIPCore
import Testing
import Transport

@_spi(Benchmarks) @testable import Engine

/// Replay writes a recorded request again in its recorded form: these pin what is kept as
/// written and what is rewritten with live values.
@Suite struct RecordedFormTests {
  /// linphone's unpublish over UDP as recorded: compact and odd-case names, no Content-Length.
  static let linphoneRemove = [
    "v: SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK.abc;rport",
    "v: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK.proxy",
    "From: \"Bob\" <sip:bob@10.0.0.7>;tag=Lx9~2",
    "To: <sip:bob@10.0.0.7>",
    "CSeq:  21 PUBLISH",
    "i: kq3X-i8",
    "Max-Forwards: 70",
    "User-Agent: Linphone/5.1.65 (belle-sip/5.1.0)",
    "o: presence",
    "sip-if-match: recorded-tag",
    "Expires: 0",
    "Authorization: Digest username=\"bob\", nonce=\"old\"",
  ]

  static func write(
    _ lines: [String], uri: String = "sip:bob@10.0.0.7:5070;transport=udp",
    transport: SIPTransportKind = .udp,
    request: PublisherStateMachine.Request, body: [UInt8] = [], cseq: UInt32 = 21,
    authorization: (name: String, value: String)? = nil
  ) throws -> String {
    let form = try #require(RequestForm(requestURI: uri, headerLines: lines, publisherUser: "bob"))
    let writer = RequestWriter(transport: transport, sentBy: "127.0.0.1:40000")
    let identity = PublisherIdentity(
      user: "bob-1", domain: "example.com", number: 7, runTag: "run", event: "presence",
      contentType: "application/pidf+xml", password: nil)
    var buffer = ByteBuffer()
    writer.write(
      .init(
        request: request, cseq: cseq, branch: BranchCode(run: 1, shard: 0, slot: 3, generation: 0),
        body: body,
        authorization: authorization),
      recorded: RecordedRequest(form: form, dialog: "run-7", cseq: cseq), for: identity, into: &buffer)
    return String(buffer: buffer)
  }

  @Test func aRecordedRemoveKeepsItsLinesAndRewritesOnlyTheLiveValues() throws {
    let request = PublisherStateMachine.Request(
      operation: .remove, ifMatch: "live-tag", expires: 0, intendedAt: 0)
    let text = try Self.write(Self.linphoneRemove, request: request)
    #expect(
      text == """
        PUBLISH sip:bob-1@example.com;transport=udp SIP/2.0\r
        v: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK-1-0-3-0;rport\r
        From: "Bob" <sip:bob-1@example.com>;tag=Lx9~2-run-7\r
        To: <sip:bob-1@example.com>\r
        CSeq:  21 PUBLISH\r
        i: kq3X-i8-run-7\r
        Max-Forwards: 70\r
        User-Agent: Linphone/5.1.65 (belle-sip/5.1.0)\r
        o: presence\r
        sip-if-match: live-tag\r
        Expires: 0\r
        \r

        """)
    // The parser reads it as the same request.
    let message = try SIPParser().parse(Array(text.utf8))
    #expect(message.headers[.sipIfMatch] == "live-tag")
    #expect(message.headers[.contentLength] == nil)
  }

  @Test func overAStreamAMissingContentLengthIsAddedAndLiveValuesWithoutALineAreAppended() throws {
    let lines = [
      "Via: SIP/2.0/TCP 10.0.0.7:5062;branch=z9hG4bK.x", "From: <sip:bob@10.0.0.7>;tag=1",
      "To: <sip:bob@10.0.0.7>", "Call-ID: c1", "CSeq: 5 PUBLISH", "Event: presence",
      "Content-Type: application/pidf+xml",
    ]
    let request = PublisherStateMachine.Request(
      operation: .modify, ifMatch: "live", expires: 120, intendedAt: 0)
    let text = try Self.write(
      lines, transport: .tcp, request: request, body: Array("<x/>".utf8), cseq: 6,
      authorization: ("Authorization", "Digest username=\"bob-1\""))
    #expect(
      text.hasSuffix(
        """
        CSeq: 6 PUBLISH\r
        Event: presence\r
        Content-Type: application/pidf+xml\r
        SIP-If-Match: live\r
        Expires: 120\r
        Authorization: Digest username="bob-1"\r
        Content-Length: 4\r
        \r
        <x/>
        """))
  }

  @Test func recordedCredentialsGiveWayToLiveOnesOrToNone() throws {
    let request = PublisherStateMachine.Request(operation: .remove, ifMatch: "t", expires: 0, intendedAt: 0)
    let without = try Self.write(Self.linphoneRemove, request: request)
    #expect(!without.contains("Authorization"))
    let with = try Self.write(
      Self.linphoneRemove, request: request, authorization: ("Proxy-Authorization", "Digest x"))
    let lines = with.components(separatedBy: "\r\n")
    #expect(
      lines.firstIndex(of: "Proxy-Authorization: Digest x")
        == lines.firstIndex(of: "Expires: 0").map { $0 + 1 })
  }

  @Test func aRequestWithoutTheRecordedTagOrExpiresLeavesThoseLinesOut() throws {
    // A re-sent step whose live publication has no tag (the recorded one was never issued).
    let request = PublisherStateMachine.Request(operation: .initial, ifMatch: nil, expires: 60, intendedAt: 0)
    var noExpires = request
    noExpires.sendsExpires = false
    let text = try Self.write(Self.linphoneRemove, request: noExpires)
    #expect(!text.lowercased().contains("sip-if-match"))
    #expect(!text.contains("Expires"))
  }

  @Test(arguments: [
    (
      "\"A;b<c>\" <sip:bob:pw@10.0.0.7:5070;lr>;tag=9;x=1",
      "\"A;b<c>\" <sip:bob-1@example.com;lr>;tag=9-d;x=1"
    ),
    ("sip:bob@10.0.0.7;tag=z", "sip:bob-1@example.com;tag=z-d"),
    ("<sips:carol@10.0.0.7>", "<sips:carol@example.com>"),
    ("<sip:10.0.0.7:5070>;TAG=k", "<sip:bob-1@example.com>;TAG=k-d"),
    ("  <sip:bob@[fd00::7]:5070>", "  <sip:bob-1@example.com>"),
    // A telephone-number user holds `;`: the host is after the last `@`.
    (
      "<sip:+4930123;phone-context=x@10.0.0.7;user=phone>",
      "<sip:+4930123;phone-context=x@example.com;user=phone>"
    ),
  ])
  func addressesKeepEverythingButTheUserHostAndTag(recorded: String, live: String) throws {
    let address = try #require(AddressTemplate(recorded, publisherUser: "bob"))
    #expect(address.text(user: "bob-1", domain: "example.com", dialog: "d") == live)
  }

  @Test(arguments: ["tel:+15551234", "<mailto:bob@x>", "", "<sip:>"])
  func textWithoutASIPURIIsNoAddress(text: String) {
    #expect(AddressTemplate(text, publisherUser: "bob") == nil)
  }

  @Test func aRequestWithoutTheHeadersEveryRequestNeedsHasNoForm() {
    for missing in ["From", "To", "i", "CSeq"] {
      let lines = Self.linphoneRemove.filter { !$0.hasPrefix(missing + ":") }
      #expect(
        RequestForm(requestURI: "sip:bob@h", headerLines: lines, publisherUser: "bob") == nil, "\(missing)")
    }
    let unnumbered = Self.linphoneRemove.map { $0.hasPrefix("CSeq") ? "CSeq: PUBLISH" : $0 }
    #expect(RequestForm(requestURI: "sip:bob@h", headerLines: unnumbered, publisherUser: "bob") == nil)
  }

  @Test func aLongRunOfParametersIsReadInLinearTime() {
    let text = "<sip:bob@h>" + String(repeating: ";", count: 60_000) + ";tag=x"
    #expect(AddressTemplate(text, publisherUser: "bob")?.afterTag == "")
  }

  @Test func headLinesKeepTheRecordedSpellingAndUnfold() {
    let bytes = Array(
      "PUBLISH sip:a@b SIP/2.0\r\nv: x\r\nSubject: one\r\n  two\r\nl: 0\r\n\r\nbody\r\nX: no".utf8)
    #expect(SIPHeadLines.lines(of: bytes) == ["v: x", "Subject: one two", "l: 0"])
    // Keep-alive line ends before a datagram's start line are not the end of its head.
    #expect(SIPHeadLines.lines(of: Array("\r\n\r\n".utf8) + bytes) == ["v: x", "Subject: one two", "l: 0"])
  }
}
