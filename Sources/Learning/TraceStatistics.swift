import Publication
import Trace

/// What a profile learned from a capture must reproduce, measured the same way on any capture
/// (the original, and the `--pcap` of a run of the learned profile), and free of scale: shares
/// and rates per publisher, not counts, so that a run of ten times the population compares
/// with its original. Only requests the server accepted count: refusals are the server's part.
public struct TraceStatistics: Sendable, Equatable {
  /// One figure of the comparison.
  public struct Figure: Sendable, Equatable {
    public var name: String
    public var value: Double?
    /// Whether the fit check holds it to the tolerance (else it is shown for information).
    public var checked: Bool
  }

  public var figures: [Figure]

  public init(_ lives: PublisherLives) {
    let accepted = lives.records.filter { $0.isAccepted && $0.operation != nil }
    var figures = PublishOperation.allCases.map { operation in
      Figure(
        name: "\(operation.rawValue) share of accepted requests",
        value: accepted.isEmpty
          ? nil : Double(accepted.filter { $0.operation == operation }.count) / Double(accepted.count),
        checked: true)
    }
    let points = Self.refreshPoints(lives)
    figures.append(
      Figure(
        name: "refresh point, median fraction of the lifetime", value: Self.median(points), checked: true))
    let modifies = accepted.filter { $0.operation == .modify }.count
    let hours = lives.exposure / 3_600
    figures.append(
      Figure(
        name: "modifies per publisher-hour online", value: hours > 0 ? Double(modifies) / hours : nil,
        checked: true))
    let initials = accepted.filter { $0.operation == .initial }
    figures.append(
      Figure(
        name: "requested Expires of initials, mean (s)",
        value: Self.mean(initials.compactMap { $0.expires.map(Double.init) }), checked: true))
    figures.append(
      Figure(
        name: "granted Expires of initials, mean (s)",
        value: Self.mean(initials.compactMap { $0.recorded.expires.map(Double.init) }), checked: false))
    let removed = lives.sessions.filter { $0.removed && !$0.startedBefore }
    figures.append(
      Figure(
        name: "session online until remove, mean (s)",
        value: Self.mean(removed.map { Double($0.length) / 1e9 }), checked: false))
    self.figures = figures
  }

  /// Each accepted refresh's point in the lifetime granted by the accepted request before it in
  /// its session.
  static func refreshPoints(_ lives: PublisherLives) -> [Double] {
    lives.sessions.flatMap { session in
      let requests = lives.accepted(session)
      return zip(requests, requests.dropFirst()).compactMap { previous, next in
        next.operation == .refresh ? previous.lifetimeFraction(at: next.offsetNanos) : nil
      }
    }
  }

  static func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  static func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
  }
}
