/// When a simulated population's work is due, as vegeta's Pacer answers it for a rate: for the
/// time elapsed since the run began, how many arrivals are due so far (or how many publishers
/// should be online), and when that count next changes. The workload asks its pacer when it is
/// due and sleeps until the next change; rates, ramps, stages and random spacing all live behind
/// this seam and are tested without sockets or clocks.
///
/// Times are nanoseconds since the start. Queries must not go back in time: a Poisson pacer
/// draws its arrivals as time passes.
public protocol Pacer: Sendable {
  /// Arrivals due by `elapsed` (inclusive), or the population wanted at `elapsed`.
  mutating func count(at elapsed: UInt64) -> Int

  /// The first time after `elapsed` at which ``count(at:)`` changes; nil when it never will.
  mutating func nextChange(after elapsed: UInt64) -> UInt64?
}

/// Everyone at once: the whole population is due at the start (a profile without `arrival:`).
public struct ImmediatePacer: Pacer {
  public init() {}

  public func count(at elapsed: UInt64) -> Int { Int.max }

  public func nextChange(after elapsed: UInt64) -> UInt64? { nil }
}

/// One shard's share of a population target: the shards' shares add up to the whole, the first
/// `total mod shards` shards taking one more.
public struct ShardShare<Base: Pacer>: Pacer {
  private var base: Base
  private let shard: Int
  private let shards: Int

  public init(_ base: Base, shard: Int, shards: Int) {
    self.base = base
    self.shard = shard
    self.shards = max(shards, 1)
  }

  public mutating func count(at elapsed: UInt64) -> Int {
    Self.share(of: base.count(at: elapsed), shard: shard, shards: shards)
  }

  /// The whole's next change (this shard's share may stay the same then).
  public mutating func nextChange(after elapsed: UInt64) -> UInt64? { base.nextChange(after: elapsed) }

  static func share(of total: Int, shard: Int, shards: Int) -> Int {
    total / shards + (shard < total % shards ? 1 : 0)
  }
}
