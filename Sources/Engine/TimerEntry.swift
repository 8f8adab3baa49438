/// One pending wake-up in a shard's timer heap: a publisher's or a watcher's next due time, or a
/// transaction's Timer E/F. Entries are never removed early; a generation number that no longer matches the
/// target's marks an entry stale, and it is skipped when it comes up.
struct TimerEntry: Comparable, Sendable {
  enum Kind: UInt8, Sendable {
    case publisher
    case transaction
    case watcher
  }

  var deadline: UInt64
  var kind: Kind
  var index: Int32
  var generation: UInt32

  static func < (lhs: TimerEntry, rhs: TimerEntry) -> Bool { lhs.deadline < rhs.deadline }
  static func == (lhs: TimerEntry, rhs: TimerEntry) -> Bool {
    lhs.deadline == rhs.deadline && lhs.kind == rhs.kind && lhs.index == rhs.index
      && lhs.generation == rhs.generation
  }
}
