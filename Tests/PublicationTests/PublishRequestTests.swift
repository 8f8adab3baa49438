import SIPCore
import Testing

@testable import Publication

@Suite("Reading a PUBLISH")
struct PublishRequestTests {
  static func message(_ extra: [(String, String)], body: String = "") -> SIPMessage {
    var headers: SIPHeaders = [
      "Via": "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1", "From": "<sip:a@h>;tag=1", "To": "<sip:a@h>",
      "Call-ID": "c1", "CSeq": "1 PUBLISH",
    ]
    for (name, value) in extra { headers.add(SIPHeaderName(name), value) }
    return .request(.publish, uri: "sip:a@H:5070", headers: headers, body: Array(body.utf8))
  }

  @Test func readsTheFieldsRFC3903Needs() throws {
    let request = try PublishRequest(
      Self.message(
        [("o", "Presence;id=4"), ("Expires", "120"), ("SIP-If-Match", "x.1"), ("c", "Application/PIDF+XML")],
        body: "b"))
    #expect(request.resource == "a@h")
    #expect(request.event == "presence")
    #expect(request.expires == 120)
    #expect(request.ifMatch == "x.1")
    #expect(request.contentType == "application/pidf+xml")
    #expect(request.operation == .modify)
  }

  @Test func hugeExpiresReadsAsTheLargestValue() throws {
    #expect(try PublishRequest(Self.message([("Expires", "99999999999999")])).expires == UInt32.max)
  }

  @Test(arguments: [
    ([("Expires", "soon")], "Bad Expires"),
    ([("Expires", "-1")], "Bad Expires"),
    ([("Call-ID", "again")], "Duplicate Call-ID"),
    ([("Expires", "1"), ("Expires", "2")], "Duplicate Expires"),
    ([("Max-Forwards", "x")], "Bad Max-Forwards"),
  ])
  func malformedRequestsAreNamed(extra: [(String, String)], reason: String) {
    #expect(throws: PublishRequest.MalformedRequest(reason)) { try PublishRequest(Self.message(extra)) }
  }

  @Test func cseqMethodMustMatch() {
    var message = Self.message([])
    message.headers.set(.cseq, "1 OPTIONS")
    #expect(throws: PublishRequest.MalformedRequest("CSeq method does not match")) {
      try PublishRequest(message)
    }
  }

  @Test func missingMandatoryHeaderIsNamed() {
    var message = Self.message([])
    message.headers.remove(.callID)
    #expect(throws: PublishRequest.MalformedRequest("Missing Call-ID")) { try PublishRequest(message) }
  }

  /// Headers whose value breaks RFC 3261's (or RFC 3903's) grammar get a 400 naming the header,
  /// even where a lenient reading could guess a meaning.
  @Test(arguments: [
    ("SIP-If-Match", "", "Bad SIP-If-Match"),
    ("SIP-If-Match", "a b", "Bad SIP-If-Match"),
    ("Via", "SIP/2.0/UDP 127.0.0.1:5080;branch=;;;", "Bad Via"),
    ("Via", "SIP/2.0/UDP 127.0.0.1:5080;branch=", "Bad Via"),
    ("Via", "SIP/2.0/UDP 127.0.0.1:5080;;branch=z9hG4bK1", "Bad Via"),
    ("Via", "SIP/2.0/UDP 127.0.0.1:5080;=x", "Bad Via"),
    ("Via", "SIP/2.0/UDP", "Bad Via"),
    ("Via", "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1, garbage", "Bad Via"),
    ("To", "<<<>>>", "Bad To"),
    ("To", "<sip:a@h", "Bad To"),
    ("To", "<>", "Bad To"),
    ("To", "sip:a@h;tag=", "Bad To"),
    ("From", "\"unclosed <sip:a@h>;tag=1", "Bad From"),
    ("From", "<sip:a b@h>;tag=1", "Bad From"),
    ("Call-ID", "two words", "Bad Call-ID"),
    ("Call-ID", "@h", "Bad Call-ID"),
    ("Event", "", "Bad Event"),
    ("Event", "pres ence", "Bad Event"),
    ("Event", "presence;;id=1", "Bad Event"),
    ("Content-Type", "application", "Bad Content-Type"),
    ("Content-Type", "application/pidf+xml;", "Bad Content-Type"),
  ])
  func headersBreakingTheirGrammarAreNamed(name: String, value: String, reason: String) {
    var message = Self.message([("Event", "presence")])
    message.headers.set(SIPHeaderName(name), value)
    #expect(throws: PublishRequest.MalformedRequest(reason)) { try PublishRequest(message) }
  }

  /// What real clients send passes: display names, quoted strings, IPv6 hosts, flag parameters.
  @Test(arguments: [
    ("From", "\"Alice \\\"A\\\" Smith\" <sip:alice@example.com>;tag=88sja8x"),
    ("From", "Alice Smith <sips:alice@example.com;transport=tls>;tag=a.b-c"),
    ("To", "sip:a@h"),
    ("To", "<tel:+15551234>"),
    ("Via", "SIP/2.0/TCP [fd00:1::2]:5060;rport;branch=z9hG4bK-1.x;received=[fd00:1::3];alias"),
    ("Via", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bK2"),
    ("Call-ID", "a84b4c76e66710@pc33.atlanta.com"),
    ("Call-ID", "{3a2f}/x:y?"),
    ("Event", "presence.winfo;id=\"q;1\""),
    ("Content-Type", "application/pidf+xml; charset=UTF-8"),
    ("SIP-If-Match", "dx200xyz"),
  ])
  func wellFormedHeadersPass(name: String, value: String) throws {
    var message = Self.message([("Event", "presence")])
    message.headers.set(SIPHeaderName(name), value)
    _ = try PublishRequest(message)
  }
}
