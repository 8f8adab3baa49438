/// Remembers which slot expires in which second, so that expired publications are swept without
/// scanning the whole store. Each slot has at most one entry, found again by its second and its
/// position in that second's bucket: moving or cancelling it is a swap with the bucket's last
/// entry, so refreshes and early removals leave nothing behind.
struct ExpiryWheel: Sendable {
  /// Where a slot's entry is.
  struct Entry: Equatable, Sendable {
    var second: UInt32
    var position: UInt32
  }

  private var buckets: [UInt32: [UInt32]] = [:]
  private var nextSecond: UInt32?

  /// The bucket of a monotonic time in nanoseconds: the second it falls in, plus one, so that a
  /// bucket is due once its whole second has passed.
  static func second(of time: UInt64) -> UInt32 {
    UInt32(clamping: time / 1_000_000_000 + 1)
  }

  /// Files `slot` under the second `time` falls in.
  mutating func schedule(_ slot: UInt32, at time: UInt64) -> Entry {
    let second = Self.second(of: time)
    let position = buckets[second]?.count ?? 0
    buckets[second, default: []].append(slot)
    return Entry(second: second, position: UInt32(position))
  }

  /// Takes an entry out. When another slot's entry moved into its place, returns that slot (its
  /// entry now has the removed one's position).
  mutating func cancel(_ entry: Entry) -> UInt32? {
    guard var bucket = buckets.removeValue(forKey: entry.second) else { return nil }
    let position = Int(entry.position)
    guard position < bucket.count else {
      buckets[entry.second] = bucket
      return nil
    }
    let last = bucket.removeLast()
    var moved: UInt32?
    if position < bucket.count {
      bucket[position] = last
      moved = last
    }
    if !bucket.isEmpty { buckets[entry.second] = bucket }
    return moved
  }

  /// Removes and returns the slots whose bucket ends at or before `now`.
  mutating func takeDue(now: UInt64) -> [UInt32] {
    let current = UInt32(clamping: now / 1_000_000_000)
    let first = nextSecond ?? 0
    nextSecond = current &+ 1
    guard first <= current else { return [] }
    var due: [UInt32] = []
    if Int(current - first) > buckets.count {
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
