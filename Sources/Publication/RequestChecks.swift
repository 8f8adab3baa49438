import SIPCore

/// The well-formedness rules every request must pass before its meaning is considered: the
/// mandatory headers are present, single-valued headers appear once, CSeq matches the method
/// (RFC 3261 §8.1.1, §8.2.2), and the headers a compositor reads follow their grammar (RFC 3261
/// §25, RFC 3903 §11.3 for SIP-If-Match). A server answers a failure with 400 naming the header.
public enum RequestChecks {
  static let mandatory: [SIPHeaderName] = [.via, .from, .to, .callID, .cseq]

  public static func requireWellFormed(_ message: SIPMessage) throws(PublishRequest.MalformedRequest) {
    for name in mandatory where message.headers[name] == nil {
      throw PublishRequest.MalformedRequest("Missing \(name.displayName)")
    }
    var seen: [SIPHeaderName] = []
    for field in message.headers where field.name.isSingleValued {
      if seen.contains(field.name) {
        throw PublishRequest.MalformedRequest("Duplicate \(field.name.displayName)")
      }
      seen.append(field.name)
    }
    // The sequence number must be below 2^31 (RFC 3261 §8.1.1.5).
    guard let cseq = message.cseq, cseq.sequence < 1 << 31 else {
      throw PublishRequest.MalformedRequest("Bad CSeq")
    }
    guard cseq.method == message.method else {
      throw PublishRequest.MalformedRequest("CSeq method does not match")
    }
    guard let via = message.headers[.via], SIPHeaders.splitList(via).allSatisfy(HeaderSyntax.isVia) else {
      throw PublishRequest.MalformedRequest("Bad Via")
    }
    try requireSyntax(message)
    if let maxForwards = message.headers[.maxForwards], PublishRequest.deltaSeconds(maxForwards) == nil {
      throw PublishRequest.MalformedRequest("Bad Max-Forwards")
    }
  }

  /// Each header that has a value checked against its grammar.
  static let grammar: [(name: SIPHeaderName, isValid: @Sendable (String) -> Bool)] = [
    (.from, HeaderSyntax.isNameAddress), (.to, HeaderSyntax.isNameAddress), (.callID, HeaderSyntax.isCallID),
    (.event, HeaderSyntax.isEvent), (.contentType, HeaderSyntax.isMediaType),
    (.sipIfMatch, { HeaderSyntax.isToken($0.trimmingSIPWhitespace()) }),
  ]

  private static func requireSyntax(_ message: SIPMessage) throws(PublishRequest.MalformedRequest) {
    for (name, isValid) in grammar {
      if let value = message.headers[name], !isValid(value) {
        throw PublishRequest.MalformedRequest("Bad \(name.displayName)")
      }
    }
  }
}
