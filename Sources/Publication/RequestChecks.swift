import SIPCore

/// The well-formedness rules every request must pass before its meaning is considered: the
/// mandatory headers are present, single-valued headers appear once, and CSeq matches the method
/// (RFC 3261 §8.1.1, §8.2.2). A server answers a failure with 400.
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
    guard let cseq = message.cseq else { throw PublishRequest.MalformedRequest("Bad CSeq") }
    guard cseq.method == message.method else {
      throw PublishRequest.MalformedRequest("CSeq method does not match")
    }
    guard message.topVia != nil else {
      throw PublishRequest.MalformedRequest("Bad Via")
    }
    if let maxForwards = message.headers[.maxForwards], PublishRequest.deltaSeconds(maxForwards) == nil {
      throw PublishRequest.MalformedRequest("Bad Max-Forwards")
    }
  }
}
