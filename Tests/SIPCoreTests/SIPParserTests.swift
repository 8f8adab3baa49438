import Testing

@testable import SIPCore

@Suite("Parsing SIP messages")
struct SIPParserTests {
  static let publish = """
    PUBLISH sip:alice@example.com SIP/2.0\r
    Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1;rport\r
    Max-Forwards: 70\r
    From: <sip:alice@example.com>;tag=abc\r
    To: <sip:alice@example.com>\r
    Call-ID: call-1@192.0.2.1\r
    CSeq: 1 PUBLISH\r
    Event: presence\r
    Expires: 3600\r
    Content-Type: application/pidf+xml\r
    Content-Length: 5\r
    \r
    hello
    """

  @Test func parsesRequestLineHeadersAndBody() throws {
    let message = try SIPParser().parse(Array(Self.publish.utf8))
    #expect(message.method == .publish)
    #expect(message.requestURI == "sip:alice@example.com")
    #expect(message.headers[.event] == "presence")
    #expect(message.headers[.callID] == "call-1@192.0.2.1")
    #expect(message.cseq == CSeq(1, .publish))
    #expect(message.topVia?.branch == "z9hG4bK-1")
    #expect(message.topVia?.hasRPort == true)
    #expect(message.bodyText == "hello")
  }

  @Test func requestRoundTripsThroughTheSerializer() throws {
    let message = try SIPParser().parse(Array(Self.publish.utf8))
    let again = try SIPParser().parse(message.serialized(), framing: .stream)
    #expect(again == message)
  }

  @Test func responseRoundTrips() throws {
    var headers = SIPHeaders()
    headers.add(.via, "SIP/2.0/TCP [::1]:5070;branch=z9hG4bK-2")
    headers.add(.cseq, "7 PUBLISH")
    headers.add(.sipETag, "tag.1")
    headers.add(.expires, "1800")
    let response = SIPMessage.response(200, headers: headers)
    let parsed = try SIPParser().parse(response.serialized(), framing: .stream)
    #expect(parsed.statusCode == 200)
    #expect(parsed.startLine == .response(statusCode: 200, reason: "OK"))
    #expect(parsed.headers[.sipETag] == "tag.1")
    #expect(parsed.headers[.contentLength] == "0")
    #expect(parsed.topVia?.host == "::1")
  }

  @Test func headerNamesMatchInAnyCaseAndCompactForm() throws {
    let text =
      "OPTIONS sip:x@y SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKa\r\nf: <sip:a@b>;tag=1\r\nt: <sip:x@y>\r\n"
      + "i: abc\r\ncSeQ: 2 OPTIONS\r\no: dialog\r\nCONTENT-TYPE: text/plain\r\nu: presence\r\nk: path\r\nl: 0\r\n\r\n"
    let message = try SIPParser().parse(Array(text.utf8), framing: .stream)
    #expect(message.headers[.callID] == "abc")
    #expect(message.headers[.from] == "<sip:a@b>;tag=1")
    #expect(message.headers[.to] == "<sip:x@y>")
    #expect(message.headers[.event] == "dialog")
    #expect(message.headers[.contentType] == "text/plain")
    #expect(message.headers[.allowEvents] == "presence")
    #expect(message.headers[.supported] == "path")
    #expect(message.cseq?.sequence == 2)
  }

  @Test func severalValuesInOneLineAndRepeatedLinesAreOneList() throws {
    let text =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2\r\n"
      + "Via: SIP/2.0/UDP c;branch=z9hG4bK3\r\nContact: \"Doe, John\" <sip:j@d>\r\nContent-Length: 0\r\n\r\n"
    let message = try SIPParser().parse(Array(text.utf8))
    #expect(message.headers.values(.via).map { Via($0)?.host } == ["a", "b", "c"])
    #expect(message.headers.values(.contact) == ["\"Doe, John\" <sip:j@d>"])
    #expect(message.topVia?.branch == "z9hG4bK1")
  }

  @Test func foldedLinesAreUnfolded() throws {
    let text =
      "SIP/2.0 200 OK\r\nSubject: I know you're there,\r\n   pick up the phone\r\n\tand talk to me!\r\n\r\n"
    let message = try SIPParser().parse(Array(text.utf8))
    #expect(
      message.headers[SIPHeaderName("subject")] == "I know you're there, pick up the phone and talk to me!")
  }

  @Test func datagramWithoutContentLengthTakesTheRestAsBody() throws {
    let text = "SIP/2.0 200 OK\r\nCSeq: 1 PUBLISH\r\n\r\nbody bytes"
    #expect(try SIPParser().parse(Array(text.utf8)).bodyText == "body bytes")
  }

  @Test func datagramBodyIsCutAtContentLength() throws {
    let text = "SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbodyEXTRA"
    #expect(try SIPParser().parse(Array(text.utf8)).bodyText == "body")
  }

  @Test func bareLineFeedsAndLeadingKeepAlivesAreTolerated() throws {
    let text = "\r\n\r\nSIP/2.0 412 Conditional Request Failed\nCSeq: 3 PUBLISH\nContent-Length: 0\n\n"
    let message = try SIPParser().parse(Array(text.utf8), framing: .stream)
    #expect(message.statusCode == 412)
    #expect(message.startLine == .response(statusCode: 412, reason: "Conditional Request Failed"))
  }

  @Test func unknownMethodsAndHeadersAreKept() throws {
    let text = "FOO sip:x@y SIP/2.0\r\nX-Custom-Thing: 42\r\nContent-Length: 0\r\n\r\n"
    let message = try SIPParser().parse(Array(text.utf8))
    #expect(message.method == SIPMethod("FOO"))
    #expect(message.headers[SIPHeaderName("x-custom-thing")] == "42")
    #expect(String(decoding: message.serialized(), as: UTF8.self).contains("X-Custom-Thing: 42\r\n"))
  }

  @Test func serializerAlwaysWritesTheTrueContentLength() {
    var headers = SIPHeaders()
    headers.add(.contentLength, "999")
    let message = SIPMessage.request(.publish, uri: "sip:a@b", headers: headers, body: Array("abc".utf8))
    let text = String(decoding: message.serialized(), as: UTF8.self)
    #expect(text == "PUBLISH sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nabc")
  }
}
