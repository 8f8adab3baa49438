/// A 128-bit fingerprint of byte strings, for keying millions of transactions and entity-tags
/// without making strings of them: two 64-bit multiply-xorshift hashes over 8-byte words with
/// different constants, so that two different inputs share a fingerprint with a probability
/// around 2⁻¹²⁸ per pair.
///
/// As a dictionary key it hashes to its own bits (``_rawHashValue(seed:)``): it is already a
/// hash, and skipping SipHash over it is most of the cost of a lookup in a large capture. The
/// starting state is random per process, so a crafted capture cannot aim many keys at one
/// bucket.
public struct ByteFingerprint: Hashable, Sendable {
  private static let start = (high: UInt64.random(in: .min ... .max), low: UInt64.random(in: .min ... .max))

  public private(set) var high: UInt64
  public private(set) var low: UInt64

  public init() {
    high = Self.start.high
    low = Self.start.low
  }

  /// The fingerprint of `range` in `bytes`.
  public init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
    self.init()
    add(bytes, range)
  }

  /// Adds bytes, then their length, so that ("ab", "c") and ("a", "bc") differ.
  public mutating func add(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
    var index = range.lowerBound
    while index + 8 <= range.upperBound {
      mix(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      index += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while index < range.upperBound {
      tail |= UInt64(bytes[index]) << shift
      shift += 8
      index += 1
    }
    mix(tail)
    mix(UInt64(range.count))
  }

  /// Adds a number (a CSeq, say).
  public mutating func add(_ value: UInt32) {
    mix(UInt64(value))
  }

  private mutating func mix(_ word: UInt64) {
    high = (high ^ word) &* 0xFF51_AFD7_ED55_8CCD
    high ^= high >> 33
    low = (low ^ word ^ 0x5555_5555_5555_5555) &* 0xC4CE_B9FE_1A85_EC53
    low ^= low >> 29
  }

  public static func == (lhs: ByteFingerprint, rhs: ByteFingerprint) -> Bool {
    lhs.high == rhs.high && lhs.low == rhs.low
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(high)
    hasher.combine(low)
  }

  public func _rawHashValue(seed: Int) -> Int {
    Int(truncatingIfNeeded: (high ^ low) ^ UInt64(UInt(bitPattern: seed)))
  }
}
