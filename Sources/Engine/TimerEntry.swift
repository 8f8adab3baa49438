/// One pending wake-up in a shard's timer heap: a publisher's or a watcher's next due time, or a
/// transaction's Timer E/F. Entries are never removed early; a generation number that no longer
/// matches the target's marks an entry stale, and it is skipped when it comes up.
///
/// Sixteen bytes: the kind rides in the index's top two bits (publishers, watchers and
/// transaction slots are numbered far below 2³⁰), since with long lifetimes every publisher
/// holds an entry.
struct TimerEntry: Comparable, Sendable {
  enum Kind: UInt8, Sendable {
    case publisher
    case transaction
    case watcher
  }

  var deadline: UInt64
  private var kindAndIndex: UInt32
  var generation: UInt32

  init(deadline: UInt64, kind: Kind, index: Int32, generation: UInt32) {
    precondition(index >= 0 && index < 1 << 30, "a timer's index is below 2^30")
    self.deadline = deadline
    kindAndIndex = UInt32(kind.rawValue) << 30 | UInt32(index)
    self.generation = generation
  }

  var kind: Kind { Kind(rawValue: UInt8(kindAndIndex >> 30)) ?? .publisher }
  var index: Int32 { Int32(kindAndIndex & (1 << 30 - 1)) }

  static func < (lhs: TimerEntry, rhs: TimerEntry) -> Bool { lhs.deadline < rhs.deadline }
  static func == (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
    lhs.deadline == rhs.deadline && lhs.kindAndIndex == rhs.kindAndIndex && lhs.generation == rhs.generation
  }
}
