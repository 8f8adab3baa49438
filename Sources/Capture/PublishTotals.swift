import Publication

/// Counts over PUBLISH transactions, by number (no strings), for the summary: what the tracker
/// folds its retired transactions into, and what the summary adds the rest to.
public struct PublishTotals: Sendable, Equatable {
  public private(set) var transactions = 0
  public private(set) var retransmissions = 0
  public private(set) var unanswered = 0
  public private(set) var operations: [PublishOperation: Int] = [:]
  public private(set) var statuses: [Int: Int] = [:]
  /// By event package index + 1 (0: no Event header).
  public private(set) var events: [Int] = []

  public init() {}

  public mutating func add(_ transaction: PublishTracker.Transaction) {
    transactions += 1
    retransmissions += Int(transaction.retransmissions)
    if let operation = transaction.operation { operations[operation, default: 0] += 1 }
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
