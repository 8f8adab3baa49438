import SIPCore

/// Identifies a server transaction (RFC 3261 §17.2.3): the top Via's branch and sent-by, and the
/// method. A retransmitted request has the same key as the original.
struct TransactionKey: Hashable, Sendable {
  var branch: String
  var sentBy: String
  var method: String

  init?(_ message: SIPMessage, topVia: Via?) {
    guard let via = topVia, let branch = via.branch, let method = message.method else { return nil }
    self.branch = branch
    self.sentBy = via.sentBy
    self.method = method.rawValue
  }
}
