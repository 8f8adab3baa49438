/// This process's part of one test split over several processes or machines (`--instance I/N`,
/// or a Kubernetes Indexed Job's completion index): instance `index` takes the publishers whose
/// number is ≡ `index` (mod `count`) and 1/`count` of every rate, so that the instances' runs add
/// up to the run one process would have made, and their reports merge exactly.
public struct RunInstance: Sendable, Equatable, CustomStringConvertible {
  public let index: Int
  public let count: Int

  /// The whole test in one process.
  public static let whole = RunInstance(uncheckedIndex: 0, count: 1)

  /// nil unless 0 ≤ index < count.
  public init?(index: Int, count: Int) {
    guard count >= 1, (0..<count).contains(index) else { return nil }
    self.init(uncheckedIndex: index, count: count)
  }

  private init(uncheckedIndex index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  public var isWhole: Bool { count == 1 }

  /// `I/N`, as written on the command line.
  public var description: String { "\(index)/\(count)" }

  /// This instance's part of `total` things dealt out round-robin: the first `total mod count`
  /// instances take one more, so that the parts add up to `total`.
  public func share(of total: Int) -> Int {
    total / count + (index < total % count ? 1 : 0)
  }

  /// The whole test's number of this instance's `local`-th thing: every `count`-th from `index`.
  public func global(_ local: Int) -> Int { local * count + index }

  /// Shard `shard` of this instance's `shards` as one of the test's `shards × count` slots.
  /// A shard that deals round-robin over its slot then deals exactly the numbers ≡ `index`
  /// (mod `count`) that fall to it, whatever the other instances' shard counts.
  public func slot(shard: Int, shards: Int) -> (slot: Int, slots: Int) {
    (shard * count + index, max(shards, 1) * count)
  }
}
