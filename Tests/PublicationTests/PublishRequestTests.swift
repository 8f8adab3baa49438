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
}
