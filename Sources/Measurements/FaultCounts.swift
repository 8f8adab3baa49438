/// What became of one kind of injected fault: how many were sent, and their answers by code
/// (timeouts apart). Kept out of the operations' counts, latency and error rate: a refusal the
/// run asked for is not an error of the server's.
public struct FaultCounts: Sendable, Codable, Equatable {
  public var injected: UInt64 = 0
  public var responses: [Int: UInt64] = [:]
  public var timeouts: UInt64 = 0

  public init() {}

  mutating func merge(_ other: FaultCounts) {
    injected += other.injected
    responses.merge(other.responses, uniquingKeysWith: +)
    timeouts += other.timeouts
  }
}
