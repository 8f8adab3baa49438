/// Makes entity-tags that are unique within a process and unlikely to repeat across restarts:
/// 30 random bits chosen at start, the generator's lane (so that several independent generators
/// never collide) and a 48-bit counter, written in a fixed 15 characters of a 64-token alphabet.
///
/// Fifteen bytes is what a Swift string holds inline: a tag costs no allocation of its own, in
/// the compositor's store or in a client that keeps it.
public struct EntityTagGenerator: Sendable {
  /// Token characters (RFC 3261 §25.1), six bits each.
  private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8)
  /// Lanes a generator can take: 12 bits.
  public static let laneLimit = 4096

  /// The random and lane bits, 42 of them, ahead of the counter's 48.
  private let prefix: UInt64
  private var counter: UInt64 = 0

  /// `lane` must be below ``laneLimit``.
  public init(lane: Int, seed: UInt64 = UInt64.random(in: 0..<(1 << 30))) {
    precondition((0..<Self.laneLimit).contains(lane), "entity-tag lane \(lane) out of range")
    prefix = (seed & 0x3FFF_FFFF) << 12 | UInt64(lane)
  }

  public mutating func next() -> String {
    counter = (counter &+ 1) & 0xFFFF_FFFF_FFFF
    return String(unsafeUninitializedCapacity: 15) { text in
      Self.write(prefix, digits: 7, into: text, at: 0)
      Self.write(counter, digits: 8, into: text, at: 7)
      return 15
    }
  }

  private static func write(
    _ value: UInt64, digits: Int, into text: UnsafeMutableBufferPointer<UInt8>, at start: Int
  ) {
    var rest = value
    for index in (start..<start + digits).reversed() {
      text[index] = alphabet[Int(rest & 63)]
      rest >>= 6
    }
  }
}
