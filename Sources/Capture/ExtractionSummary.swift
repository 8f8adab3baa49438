import Publication

/// `pubsim extract --summary`: the contract's JSON object (DESIGN.md §4) plus a few more counts.
public struct ExtractionSummary: Codable, Sendable, Equatable {
  public struct Publish: Codable, Sendable, Equatable {
    public var transactions: Int
    public var retransmissions: Int
    public var operations: [String: Int]
    public var responses: [String: Int]
    public var unanswered: Int
    public var unmatchedResponses: Int
    public var events: [String: Int]
    /// PUBLISH request and response messages as they appear on the wire (retransmissions and
    /// provisional responses included): what `tshark -Y 'sip.Method == "PUBLISH" ||
    /// sip.CSeq.method == "PUBLISH"'` counts.
    public var messages: Messages
    /// Distinct publication lives (entity-tag chains).
    public var chains: Int
  }

  public struct Messages: Codable, Sendable, Equatable {
    public var requests: Int
    public var responses: Int
  }

  public var packets: Int
  public var sipMessages: Int
  public var publish: Publish
  public var warnings: [String]

  public init(packets: Int, tracker: PublishTracker, warnings: [String]) {
    self.packets = packets
    sipMessages = tracker.sipMessages
    var operations = Dictionary(uniqueKeysWithValues: PublishOperation.allCases.map { ($0.rawValue, 0) })
    var responses: [String: Int] = [:]
    var events: [String: Int] = [:]
    var unanswered = 0
    var retransmissions = 0
    for transaction in tracker.transactions {
      if let operation = transaction.operation { operations[operation.rawValue, default: 0] += 1 }
      if let status = transaction.finalStatus {
        responses[String(status), default: 0] += 1
      } else {
        unanswered += 1
      }
      events[transaction.event ?? "(none)", default: 0] += 1
      retransmissions += transaction.retransmissions
    }
    publish = Publish(
      transactions: tracker.transactions.count, retransmissions: retransmissions, operations: operations,
      responses: responses, unanswered: unanswered, unmatchedResponses: tracker.unmatchedResponses,
      events: events,
      messages: Messages(
        requests: tracker.publishRequestMessages, responses: tracker.publishResponseMessages),
      chains: tracker.chains)
    self.warnings = warnings
  }
}
