import SIPCore

/// Identifies a server transaction (RFC 3261 §17.2.3): the top Via's branch and sent-by, and the
/// method. A retransmitted request has the same key as the original.
///
/// Kept as 128 bits rather than the three strings: two SipHash digests under the process's random
/// hashing key, each over the three with a different lead byte. The transaction cache holds a key
/// per transaction for Timer J (hundreds of thousands at high rates), where three strings cost
/// about 100 bytes more each; two different transactions share a key with a chance near 2^-128
/// per pair, and without the process's key no sender can make them.
struct TransactionKey: Hashable, Sendable {
  private var first: UInt64
  private var second: UInt64

  init?(_ message: SIPMessage, topVia: Via?) {
    guard let via = topVia, let branch = via.branch, let method = message.method else { return nil }
    self.init(branch: branch, host: via.host, port: via.port, method: method)
  }

  init(branch: String, host: String, port: Int?, method: SIPMethod) {
    first = Self.digest(0, branch, host, port, method.rawValue)
    second = Self.digest(1, branch, host, port, method.rawValue)
  }

  /// The sent-by goes in as its host and port, which is the same as its text without writing it.
  private static func digest(_ lead: UInt8, _ branch: String, _ host: String, _ port: Int?, _ method: String)
    -> UInt64
  {
    var hasher = Hasher()
    hasher.combine(lead)
    hasher.combine(branch)
    hasher.combine(host)
    hasher.combine(port)
    hasher.combine(method)
    return UInt64(UInt(bitPattern: hasher.finalize()))
  }
}
