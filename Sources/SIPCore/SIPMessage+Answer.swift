extension SIPMessage {
  /// The response a UAS sends to this request (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq
  /// copied, To copied with `toTag` added when it has no tag (a NOTIFY in a dialog already has
  /// one), no body.
  public func answer(_ statusCode: Int, toTag: String) -> SIPMessage {
    var headers = SIPHeaders()
    for value in self.headers.values(.via) { headers.add(.via, value) }
    if let from = self.headers[.from] { headers.add(.from, from) }
    if let to = self.headers[.to] {
      let tagged = to.lowercased().contains(";tag=")
      headers.add(.to, tagged ? to : to + ";tag=" + toTag)
    }
    if let callID = self.headers[.callID] { headers.add(.callID, callID) }
    if let cseq = self.headers[.cseq] { headers.add(.cseq, cseq) }
    return .response(statusCode, headers: headers)
  }
}
