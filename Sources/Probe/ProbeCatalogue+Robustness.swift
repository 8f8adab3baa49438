import Reports

/// The robustness table: PUBLISH requests broken in the ways real parsers miss. Each must get a
/// 4xx (RFC 3261 §21.4.1: 400 for a malformed request) and never a 2xx; silence (a datagram
/// dropped, a connection closed) is allowed but noted. After them, the server must still take a
/// valid PUBLISH.
extension ProbeCatalogue {
  static var robustnessChecks: [ProbeCheck] {
    malformations.map { malformed($0.id, $0.what, $0.breaking) } + [oversizedHeader, survivesMalformed]
  }

  /// id, what is wrong, and how a valid initial publication is broken to make it.
  static let malformations: [(id: String, what: String, breaking: @Sendable (ProbeRequest) -> ProbeRequest)] =
    [
      ("malformed-content-length-text", "Content-Length: abc", { request in contentLength(request, "abc") }),
      (
        "malformed-content-length-negative", "Content-Length: -5", { request in contentLength(request, "-5") }
      ),
      (
        "malformed-content-length-oversized", "Content-Length: 4294967296",
        { request in contentLength(request, "4294967296") }
      ),
      (
        "malformed-expires-twice", "Expires: 60 and Expires: 120",
        { request in
          var copy = request
          copy.headers.append(("Expires", "120"))
          return copy
        }
      ),
      ("malformed-expires-negative", "Expires: -1", { request in request.with("Expires", "-1") }),
      (
        "malformed-cseq-overflow", "CSeq 2147483648 (2^31)",
        { request in
          var copy = request
          copy.cseq = "2147483648"
          return copy
        }
      ),
      (
        "malformed-empty-if-match", "SIP-If-Match with no value",
        { request in
          var copy = request
          copy.headers.append(("SIP-If-Match", nil))
          return copy
        }
      ),
      (
        "malformed-via", "Via parameters empty (branch=;;;)",
        { request in
          var copy = request
          copy.via = "SIP/2.0/{transport} {local};branch=;;;"
          return copy
        }
      ),
      (
        "malformed-to", "To: <<<>>>",
        { request in
          var copy = request
          copy.to = "<<<>>>"
          return copy
        }
      ),
      ("malformed-nul", "a NUL byte in a header value", { request in request.with("Subject", "a\u{0}b") }),
    ]

  static func contentLength(_ request: ProbeRequest, _ value: String) -> ProbeRequest {
    var copy = request
    copy.contentLength = value
    return copy
  }

  static func malformed(
    _ id: String, _ what: String, _ breaking: @escaping @Sendable (ProbeRequest) -> ProbeRequest
  ) -> ProbeCheck {
    ProbeCheck(id: id, rfc: "3261 §21.4.1", expected: "4xx, never 2xx") { context in
      let aor = context.aor(id)
      let request = breaking(context.initial(aor))
      let answer = await context.exchange(request)
      await context.cleanUp(aor, tag: answer.entityTag)
      let verdict: ProbeVerdict =
        switch answer.status {
        case .some(400..<500): .pass
        case .some(200..<300): .fail
        default: .warn
        }
      return .init(verdict, observed: answer.text, sent: what)
    }
  }

  /// A 20 000-byte header line breaks no grammar (RFC 3261 sets no length limit), so a 2xx is
  /// allowed; a 4xx (a limit) is the careful answer, and silence is noted.
  static let oversizedHeader = ProbeCheck(
    id: "malformed-oversized-header", rfc: "3261 §21.4.1",
    expected: "4xx (a line limit), or 2xx (no limit: warned)"
  ) { context in
    let aor = context.aor("oversized-header")
    let request = context.initial(aor).with("X-Pubsim-Padding", String(repeating: "a", count: 20_000))
    let answer = await context.exchange(request)
    await context.cleanUp(aor, tag: answer.entityTag)
    let verdict: ProbeVerdict = (400..<500).contains(answer.status ?? 0) ? .pass : .warn
    return .init(verdict, observed: answer.text, sent: "a 20 000-byte header line")
  }

  static let survivesMalformed = ProbeCheck(
    id: "survives-malformed", rfc: "3261 §21.4.1", expected: "a valid PUBLISH after the malformed ones: 2xx"
  ) { context in
    let aor = context.aor("survivor")
    let request = context.initial(aor)
    let answer = await context.exchange(request)
    await context.cleanUp(aor, tag: answer.entityTag)
    return .init(answer.isSuccess ? .pass : .fail, observed: answer.text, sent: request.summary)
  }
}
