import SIPCore

/// PUBLISH requests as a client would send them, for driving the compositor in tests.
enum TestRequests {
  static let pidf =
    "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@h\"/>"

  static func publish(
    user: String = "alice", event: String? = "presence", ifMatch: String? = nil, expires: String? = "3600",
    contentType: String? = "application/pidf+xml", body: String = pidf, branch: String = "z9hG4bK-1",
    via: String? = nil
  ) -> SIPMessage {
    var headers = SIPHeaders()
    headers.add(.via, via ?? "SIP/2.0/UDP 127.0.0.1:5080;branch=\(branch);rport")
    headers.add(.maxForwards, "70")
    headers.add(.from, "<sip:\(user)@example.com>;tag=f1")
    headers.add(.to, "<sip:\(user)@example.com>")
    headers.add(.callID, "call-\(branch)")
    headers.add(.cseq, "1 PUBLISH")
    if let event { headers.add(.event, event) }
    if let expires { headers.add(.expires, expires) }
    if let ifMatch { headers.add(.sipIfMatch, ifMatch) }
    if let contentType, !body.isEmpty { headers.add(.contentType, contentType) }
    return .request(.publish, uri: "sip:\(user)@example.com", headers: headers, body: Array(body.utf8))
  }
}
