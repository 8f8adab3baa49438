import SIPCore
import Testing

@testable import Capture

@Suite("Reading PUBLISH fields in one pass")
struct PublishScanTests {
  static func scan(_ text: String) -> PublishScan? {
    Array(text.utf8).withUnsafeBytes { PublishScan.scan($0) }
  }

  @Test func agreesWithTheFullParserOnARequest() throws {
    let bytes = Messages.publish(branch: "z9hG4bKabc", cseq: 7, ifMatch: "tag1", expires: 120)
    let scan = try #require(bytes.withUnsafeBytes { PublishScan.scan($0) })
    let message = try SIPParser().parse(bytes)
    #expect(scan.kind == .request(method: "PUBLISH", uri: message.requestURI ?? ""))
    #expect(scan.branch == message.topVia?.branch)
    #expect(scan.callID == message.headers[.callID])
    #expect(scan.sequence == 7)
    #expect(scan.ifMatch == "tag1")
    #expect(scan.expires == 120)
    #expect(scan.event == "presence")
    #expect(scan.operation == .modify)
  }

  @Test func readsCompactFormsInAnyCase() throws {
    let text =
      "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h;BRANCH=z9hG4bKx;rport\r\ni: c1\r\ncseq: 3 PUBLISH\r\n"
      + "sip-etag: t9\r\nEXPIRES: 60\r\nl: 0\r\n\r\n"
    let scan = try #require(Self.scan(text))
    #expect(scan.kind == .response(statusCode: 200))
    #expect(scan.branch == "z9hG4bKx")
    #expect(scan.callID == "c1")
    #expect(scan.entityTag == "t9")
    #expect(scan.expires == 60)
    #expect(!scan.hasBody)
  }

  @Test(arguments: [
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=b\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n",
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=b\r\nCSeq: 1 PUBLISH\r\n\r\n",
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=b\r\nCall-ID: c\r\nCSeq: 1 PUBLISH\r\n",
    "garbage\r\n\r\n",
  ])
  func otherOrIncompleteMessagesAreNotPublish(text: String) {
    #expect(Self.scan(text) == nil)
  }
}
