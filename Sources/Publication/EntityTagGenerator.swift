/// Makes entity-tags that are unique within a process and unlikely to repeat across restarts:
/// a random prefix chosen at start, the generator's lane (so that several independent generators
/// never collide) and a counter, all in base 36.
public struct EntityTagGenerator: Sendable {
  private let prefix: String
  private var counter: UInt64 = 0

  public init(lane: Int, seed: UInt64 = UInt64.random(in: 0..<(1 << 40))) {
    prefix = String(seed, radix: 36) + "." + String(lane, radix: 36) + "."
  }

  public mutating func next() -> String {
    counter &+= 1
    return prefix + String(counter, radix: 36)
  }
}
