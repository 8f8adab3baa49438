import Probe
import Reports
import SIPCore
import Testing

/// The requests the probe writes, parsed back with pubsim's own parser: the well-formed ones
/// are well formed, and each malformation breaks exactly what it says.
@Suite("Probe requests and reports")
struct ProbeRequestTests {
  static let id = ProbeTransactionID(branch: "z9hG4bK-probe-1", callID: "call-1", fromTag: "tag-1")

  static func render(_ request: ProbeRequest) -> [UInt8] {
    request.bytes(transaction: id, local: "127.0.0.1:5070", transport: "UDP", target: "127.0.0.1:5060")
  }

  @Test func aPublishParsesBackWithItsHeaders() throws {
    let body = Array("<presence/>".utf8)
    let request = ProbeRequest.publish(
      aor: "alice@example.com", event: "presence", ifMatch: "e1", expires: 60, body: body,
      contentType: "application/pidf+xml")
    let message = try SIPParser().parse(Self.render(request), framing: .datagram)
    #expect(message.method == .publish)
    #expect(message.requestURI == "sip:alice@example.com")
    #expect(message.topViaBranch == "z9hG4bK-probe-1")
    #expect(message.headers[.sipIfMatch] == "e1")
    #expect(message.headers[.expires] == "60")
    #expect(message.headers[.contentLength] == String(body.count))
    #expect(message.body == body)
    #expect(message.cseq == CSeq(1, .publish))
  }

  @Test func malformationsBreakWhatTheySay() throws {
    var request = ProbeRequest.publish(aor: "a@b", event: "presence")
    request.cseq = "2147483648"
    request.contentLength = "-5"
    request.to = "<<<>>>"
    request.via = "SIP/2.0/{transport} {local};branch=;;;"
    let text = String(
      decoding: Self.render(request.with("SIP-If-Match", nil).with("Expires", nil)), as: UTF8.self)
    #expect(text.contains("\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=;;;\r\n"))
    #expect(text.contains("\r\nTo: <<<>>>\r\n"))
    #expect(text.contains("\r\nCSeq: 2147483648 PUBLISH\r\n"))
    #expect(text.contains("\r\nContent-Length: -5\r\n"))
    #expect(!text.contains("Expires"))
    var empty = ProbeRequest.publish(aor: "a@b", event: "presence")
    empty.headers.append(("SIP-If-Match", nil))
    #expect(String(decoding: Self.render(empty), as: UTF8.self).contains("\r\nSIP-If-Match:\r\n"))
  }

  @Test func anOptionsWithoutResourceGoesToTheServer() {
    let text = String(decoding: Self.render(ProbeRequest(method: "OPTIONS", aor: "")), as: UTF8.self)
    #expect(text.hasPrefix("OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\n"))
    #expect(text.contains("From: <sip:probe@127.0.0.1:5060>;tag=tag-1"))
  }

  @Test func selectionKeepsCatalogueOrder() {
    let suite = ProbeSuite(only: ["remove", "initial", "malformed-nul"], skip: ["remove"])
    #expect(suite.checks.map(\.id) == ["initial", "malformed-nul"])
    #expect(ProbeSuite.unknownIDs(["initial", "nope"]) == ["nope"])
    let ids = ProbeSuite().checks.map(\.id)
    #expect(Set(ids).count == ids.count, "ids are unique")
  }

  @Test func theReportCountsVerdictsAndCutsLongRows() throws {
    let rows = [
      ProbeResult(
        id: "a", rfc: "3903 §6", verdict: .pass, expected: "412", observed: "412 Failed", sent: "x"),
      ProbeResult(
        id: "b", rfc: "3903 §6", verdict: .fail, expected: "412",
        observed: String(repeating: "z", count: 300),
        sent: "y"),
      ProbeResult(id: "c", rfc: "3903 §6", verdict: .warn, expected: "4xx", observed: "none", sent: "z"),
    ]
    let report = ProbeReport(target: "sip:127.0.0.1:5060", transport: "udp", checks: rows)
    #expect((report.passed, report.failed, report.warned, report.skipped) == (1, 1, 1, 0))
    #expect(report.totals == "3 checks: 1 pass, 1 fail, 1 warn, 0 skip")
    #expect(report.table.split(separator: "\n").allSatisfy { $0.count < 140 })
    #expect(report.table.contains("FAIL"))
    let html = ProbeHTML.render(report, startedAt: "2026-11-30T09:00:00Z")
    #expect(html.contains("<td class=\"fail\">fail</td>"))
    #expect(html.hasSuffix("</body></html>\n"))
  }
}
