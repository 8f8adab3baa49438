/// Remembers when each entity-tag expires, in one-second buckets, so that expired publications
/// can be swept without scanning the whole store and without leaving stale entries behind when a
/// publication is refreshed or removed early (each costs one set removal).
struct ExpiryWheel: Sendable {
  private var buckets: [UInt64: Set<String>] = [:]
  private var nextSecond: UInt64?

  private static func second(of time: UInt64) -> UInt64 { time / 1_000_000_000 + 1 }

  mutating func schedule(_ tag: String, at time: UInt64) {
    buckets[Self.second(of: time), default: []].insert(tag)
  }

  mutating func cancel(_ tag: String, at time: UInt64) {
    let second = Self.second(of: time)
    buckets[second]?.remove(tag)
    if buckets[second]?.isEmpty == true { buckets[second] = nil }
  }

  /// Removes and returns the tags whose bucket ends at or before `now`.
  mutating func takeDue(now: UInt64) -> [String] {
    let current = now / 1_000_000_000
    let first = nextSecond ?? 0
    nextSecond = current + 1
    guard first <= current else { return [] }
    var due: [String] = []
    if current - first > UInt64(buckets.count) {
      for second in buckets.keys where second <= current {
        due.append(contentsOf: buckets.removeValue(forKey: second) ?? [])
      }
    } else {
      for second in first...current {
        due.append(contentsOf: buckets.removeValue(forKey: second) ?? [])
      }
    }
    return due
  }
}
