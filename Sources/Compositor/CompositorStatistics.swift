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
  /// The same holds counted in 10 µs steps up to 100 ms (longer ones in the last): medians, which
  /// a stolen CPU now and then does not move as it moves the mean.
  public private(set) var heldSteps: [UInt32] = []
  static let heldStep: UInt64 = 10_000
  static let heldStepCount = 10_000

  /// Counts one held response.
  public mutating func recordHold(nanoseconds: UInt64) {
    heldResponses += 1
    heldNanoseconds += nanoseconds
    if heldSteps.isEmpty { heldSteps = Array(repeating: 0, count: Self.heldStepCount) }
    heldSteps[Int(min(nanoseconds / Self.heldStep, UInt64(Self.heldStepCount - 1)))] += 1
  }

  /// The median hold in microseconds (to the 10 µs step's middle); 0 when nothing was held.
  public var medianHoldMicros: Double {
    let half = (heldSteps.reduce(0) { $0 + Int($1) } + 1) / 2
    var seen = 0
    for (step, count) in heldSteps.enumerated() {
      seen += Int(count)
      if seen >= half && half > 0 { return (Double(step) + 0.5) * Double(Self.heldStep) / 1_000 }
    }
    return 0
  }

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
    if heldSteps.isEmpty {
      heldSteps = other.heldSteps
    } else if !other.heldSteps.isEmpty {
      for index in heldSteps.indices { heldSteps[index] += other.heldSteps[index] }
    }
  }

  /// One line: requests by method, responses by code, the rest when non-zero, live publications
  /// (and the bytes of their bodies, when there are any).
  public func summary(livePublications: Int, bodyBytes: Int = 0) -> String {
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
    parts.append(
      "live publications \(livePublications)" + (bodyBytes > 0 ? " holding \(bodyBytes) bytes of bodies" : "")
    )
    return "pubsim compositor: " + parts.joined(separator: "; ")
  }
}
