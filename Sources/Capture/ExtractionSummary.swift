import Publication

/// `pubsim extract --summary`: the contract's JSON object (docs/contract.md) plus a few more counts.
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
    var totals = tracker.retired
    for transaction in tracker.transactions { totals.add(transaction) }
    // The contract's example keys are always there, zero or not, so that a script can read
    // responses["412"] or events["presence"] of any capture.
    var events: [String: Int] = ["presence": 0]
    for (position, count) in totals.events.enumerated() where count > 0 {
      events[position == 0 ? "(none)" : tracker.eventPackages[position - 1]] = count
    }
    var operations = Dictionary(
      uniqueKeysWithValues: PublishOperation.allCases.map { ($0.rawValue, totals.operations[$0] ?? 0) })
    // The five add up to `transactions`.
    operations["invalid"] = totals.invalid
    var responses = ["200": 0, "412": 0]
    for (code, count) in totals.statuses { responses[String(code)] = count }
    publish = Publish(
      transactions: totals.transactions, retransmissions: totals.retransmissions,
      operations: operations, responses: responses,
      unanswered: totals.unanswered, unmatchedResponses: tracker.unmatchedResponses, events: events,
      messages: Messages(
        requests: tracker.publishRequestMessages, responses: tracker.publishResponseMessages),
      chains: tracker.chains)
    self.warnings = warnings
  }
}
