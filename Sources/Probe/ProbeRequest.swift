import SIPCore

/// One request a check sends, as text the probe controls to the byte: the well-formed PUBLISH
/// and OPTIONS of the protocol checks, and the deliberately broken ones of the robustness table
/// (a header written twice, a value no grammar allows, NUL bytes). The transaction identifiers
/// (branch, Call-ID, tags, CSeq) are filled in when it is written, so a check names only what it
/// is about.
public struct ProbeRequest: Sendable, Equatable {
  public var method: String
  /// The resource (`user@domain`), the Request-URI and To.
  public var aor: String
  /// Headers after the transaction's own (Via, Max-Forwards, From, To, Call-ID, CSeq), in order;
  /// a nil value writes the name alone (`SIP-If-Match:`).
  public var headers: [(name: String, value: String?)]
  public var body: [UInt8]
  /// Content-Length as written; nil writes the body's length.
  public var contentLength: String?
  /// Replaces the Via's value (for a malformed one); `{branch}`, `{local}` and `{transport}` are
  /// filled in.
  public var via: String?
  /// Replaces the To's value (for a malformed one).
  public var to: String?
  /// The CSeq number as written.
  public var cseq: String = "1"

  public init(method: String, aor: String, headers: [(name: String, value: String?)] = [], body: [UInt8] = [])
  {
    self.method = method
    self.aor = aor
    self.headers = headers
    self.body = body
  }

  public static func == (lhs: ProbeRequest, rhs: ProbeRequest) -> Bool {
    lhs.method == rhs.method && lhs.aor == rhs.aor && lhs.body == rhs.body
      && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
      && lhs.contentLength == rhs.contentLength && lhs.via == rhs.via && lhs.to == rhs.to
      && lhs.cseq == rhs.cseq
  }

  /// A PUBLISH for `aor` and `event`: with a body it carries Content-Type, with `ifMatch` the
  /// SIP-If-Match, with `expires` the Expires.
  public static func publish(
    aor: String, event: String, ifMatch: String? = nil, expires: UInt32? = 60, body: [UInt8] = [],
    contentType: String? = nil
  ) -> ProbeRequest {
    var headers: [(name: String, value: String?)] = [("Event", event)]
    if let ifMatch { headers.append(("SIP-If-Match", ifMatch)) }
    if let expires { headers.append(("Expires", String(expires))) }
    if !body.isEmpty, let contentType { headers.append(("Content-Type", contentType)) }
    return ProbeRequest(method: "PUBLISH", aor: aor, headers: headers, body: body)
  }

  /// The value of the first header of this name the request carries.
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value ?? nil
  }

  /// The header replaced (or added at the end when absent); nil removes it.
  public func with(_ name: String, _ value: String?) -> ProbeRequest {
    var copy = self
    let index = copy.headers.firstIndex { $0.name.lowercased() == name.lowercased() }
    switch (index, value) {
    case (let index?, let value?): copy.headers[index].value = value
    case (let index?, nil): copy.headers.remove(at: index)
    case (nil, let value?): copy.headers.append((name, value))
    case (nil, nil): break
    }
    return copy
  }

  /// What a check's table row says was sent: the method and the headers that matter.
  public var summary: String {
    let shown = headers.filter { $0.name != "Event" || method != "PUBLISH" }
      .map { "\($0.name): \($0.value ?? "")" }
    var parts = [method] + shown
    if !body.isEmpty { parts.append("body \(body.count) B") }
    if let contentLength { parts.append("Content-Length: \(contentLength)") }
    if via != nil { parts.append("Via: \(via ?? "")") }
    if let to { parts.append("To: \(to)") }
    if cseq != "1" { parts.append("CSeq: \(cseq)") }
    return parts.joined(separator: ", ")
  }

  /// The bytes on the wire for one transaction. `local` is the probe's address as SIP writes it,
  /// `transport` the Via's (`UDP`, `TCP`, `TLS`), `target` the server's host and port as SIP
  /// writes them.
  public func bytes(
    transaction: ProbeTransactionID, local: String, transport: String, target: String
  ) -> [UInt8] {
    let uri = method == "OPTIONS" && aor.isEmpty ? "sip:\(target)" : "sip:\(aor)"
    let fromAOR = aor.isEmpty ? "probe@\(target)" : aor
    let viaValue =
      via.map {
        $0.replacingOccurrences(of: "{branch}", with: transaction.branch)
          .replacingOccurrences(of: "{local}", with: local).replacingOccurrences(
            of: "{transport}", with: transport)
      } ?? "SIP/2.0/\(transport) \(local);branch=\(transaction.branch);rport"
    var text = "\(method) \(uri) SIP/2.0\r\nVia: \(viaValue)\r\nMax-Forwards: 70\r\n"
    text += "From: <sip:\(fromAOR)>;tag=\(transaction.fromTag)\r\nTo: \(to ?? "<\(uri)>")\r\n"
    text += "Call-ID: \(transaction.callID)\r\nCSeq: \(cseq) \(method)\r\n"
    for header in headers {
      text += header.value.map { "\(header.name): \($0)\r\n" } ?? "\(header.name):\r\n"
    }
    text += "User-Agent: pubsim-probe\r\nContent-Length: \(contentLength ?? String(body.count))\r\n\r\n"
    return Array(text.utf8) + body
  }
}

/// The identifiers of one transaction: a fresh branch per request, and a Call-ID and From tag
/// that a check may keep for the requests of one publisher.
public struct ProbeTransactionID: Sendable, Equatable {
  public var branch: String
  public var callID: String
  public var fromTag: String

  public init(branch: String, callID: String, fromTag: String) {
    self.branch = branch
    self.callID = callID
    self.fromTag = fromTag
  }
}
