import Publication
import Trace

/// A capture's PUBLISH traffic regrouped as publishers living through sessions: what a
/// profile's population, sessions and arrivals are fitted to, and what the fit check measures.
///
/// A publisher here is one publication stream of an address and package: sessions of an
/// address follow one another on one publisher when the next begins after the previous was
/// removed (a return after time offline), but a session that begins while another of the
/// same address is live is another publisher (a second device). Pure: records in, lives out.
public struct PublisherLives: Sendable {
  public let records: [TraceRecord]
  public let sessions: [RecordedSession]
  /// Each publisher's sessions (positions in ``sessions``), in time order.
  public let publishers: [[Int]]
  /// From the first request to the last answer, in nanoseconds.
  public let span: UInt64

  public init(_ records: [TraceRecord]) {
    self.records = records
    span = records.map(\.answeredAt).max() ?? 0
    sessions = Self.sessions(records, span: span)
    publishers = Self.publishers(sessions)
  }

  /// The sessions, in order of their start.
  private static func sessions(_ records: [TraceRecord], span: UInt64) -> [RecordedSession] {
    var byChain: [Int: [Int]] = [:]
    var order: [Int] = []
    for (position, record) in records.enumerated() where record.isAccepted && record.operation != nil {
      if byChain[record.chain] == nil { order.append(record.chain) }
      byChain[record.chain, default: []].append(position)
    }
    return order.compactMap { chain in
      guard let accepted = byChain[chain]?.sorted(by: { records[$0].offsetNanos < records[$1].offsetNanos }),
        let first = accepted.first, let last = accepted.last
      else { return nil }
      let opening = records[first]
      let closing = records[last]
      let removed = closing.operation == .remove
      let end =
        removed ? closing.offsetNanos : min(span, closing.offsetNanos.saturatingAdd(closing.grantedNanos))
      return RecordedSession(
        resource: opening.resource, event: opening.event ?? "presence", start: opening.offsetNanos, end: end,
        removed: removed, startedBefore: opening.operation != .initial, accepted: accepted)
    }
    .sorted { $0.start < $1.start }
  }

  /// Sessions dealt to publishers: a session takes the publisher of its address and package
  /// that was removed longest ago, if one was removed by then, else it is a new publisher.
  private static func publishers(_ sessions: [RecordedSession]) -> [[Int]] {
    var publishers: [[Int]] = []
    var byAddress: [String: [Int]] = [:]
    for (position, session) in sessions.enumerated() {
      let key = session.event + " " + session.resource
      let free = (byAddress[key] ?? []).filter { publisher in
        let previous = sessions[publishers[publisher].last ?? 0]
        return previous.removed && previous.end <= session.start
      }
      if let chosen = free.min(by: {
        sessions[publishers[$0].last ?? 0].end < sessions[publishers[$1].last ?? 0].end
      }) {
        publishers[chosen].append(position)
      } else {
        byAddress[key, default: []].append(publishers.count)
        publishers.append([position])
      }
    }
    return publishers
  }

  /// When each publisher first appears, in order.
  public var arrivals: [UInt64] {
    publishers.compactMap { $0.first.map { sessions[$0].start } }.sorted()
  }

  /// Time spent online, all sessions together, in seconds (a double: a year of a million
  /// sessions would overflow nanoseconds).
  public var exposure: Double { Self.seconds(sessions) }

  /// The sessions' time online together, in seconds.
  static func seconds(_ sessions: [RecordedSession]) -> Double {
    sessions.reduce(0) { $0 + Double($1.length) / 1e9 }
  }

  /// The accepted requests of a session, as records.
  func accepted(_ session: RecordedSession) -> [TraceRecord] {
    session.accepted.map { records[$0] }
  }
}
