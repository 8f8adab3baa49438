import Publication

/// Counts over PUBLISH transactions, by number (no strings), for the summary: what the tracker
/// folds its retired transactions into, and what the summary adds the rest to.
public struct PublishTotals: Sendable, Equatable {
  public private(set) var transactions = 0
  public private(set) var retransmissions = 0
  public private(set) var unanswered = 0
  public private(set) var operations: [PublishOperation: Int] = [:]
  /// PUBLISH that fits none of RFC 3903's four operations (baresip's unpublish of a publication
  /// it never got an entity-tag for: Expires 0, no SIP-If-Match, no body).
  public private(set) var invalid = 0
  public private(set) var statuses: [Int: Int] = [:]
  /// By event package index + 1 (0: no Event header).
  public private(set) var events: [Int] = []

  public init() {}

  public mutating func add(_ transaction: PublishTracker.Transaction) {
    transactions += 1
    retransmissions += Int(transaction.retransmissions)
    if let operation = transaction.operation {
      operations[operation, default: 0] += 1
    } else {
      invalid += 1
    }
    if let status = transaction.finalStatus {
      statuses[status, default: 0] += 1
    } else {
      unanswered += 1
    }
    let event = Int(transaction.eventIndex) + 1
    if events.count <= event { events += Array(repeating: 0, count: event + 1 - events.count) }
    events[event] += 1
  }
}
