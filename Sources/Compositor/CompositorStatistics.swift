/// What a compositor has seen and done, counted per event loop and summed for the summary line
/// printed at shutdown.
public struct CompositorStatistics: Sendable, Equatable {
  public var requestsByMethod: [String: Int] = [:]
  public var responsesByCode: [Int: Int] = [:]
  /// Retransmitted requests answered from the transaction cache (or absorbed while pending).
  public var retransmissions = 0
  /// Requests ignored by `--drop`.
  public var dropped = 0
  /// Messages that could not be parsed, and connections closed for framing errors.
  public var malformed = 0
  /// Responses received, which a server ignores.
  public var strayResponses = 0
  /// Responses held by `--delay` or `--stall`, and how long they really waited in total (from
  /// the request's arrival to the write), the ground truth for latency accuracy tests.
  public var heldResponses = 0
  public var heldNanoseconds: UInt64 = 0

  public init() {}

  public mutating func merge(_ other: CompositorStatistics) {
    requestsByMethod.merge(other.requestsByMethod, uniquingKeysWith: +)
    responsesByCode.merge(other.responsesByCode, uniquingKeysWith: +)
    retransmissions += other.retransmissions
    dropped += other.dropped
    malformed += other.malformed
    strayResponses += other.strayResponses
    heldResponses += other.heldResponses
    heldNanoseconds += other.heldNanoseconds
  }

  /// One line: requests by method, responses by code, the rest when non-zero, live publications.
  public func summary(livePublications: Int) -> String {
    let requests = requestsByMethod.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let responses = responsesByCode.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    var parts = [
      "requests " + (requests.isEmpty ? "none" : requests.joined(separator: " ")),
      "responses " + (responses.isEmpty ? "none" : responses.joined(separator: " ")),
    ]
    if retransmissions > 0 { parts.append("retransmissions absorbed \(retransmissions)") }
    if dropped > 0 { parts.append("dropped \(dropped)") }
    if malformed > 0 { parts.append("malformed \(malformed)") }
    if strayResponses > 0 { parts.append("stray responses \(strayResponses)") }
    parts.append("live publications \(livePublications)")
    return "pubsim compositor: " + parts.joined(separator: "; ")
  }
}
