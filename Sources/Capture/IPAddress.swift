/// An IPv4 or IPv6 address as captured: 16 bytes in two words, cheap to hash and compare.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var high: UInt64
  public var low: UInt64
  public var isIPv6: Bool

  init(ipv4 bytes: UnsafeRawBufferPointer, at offset: Int) {
    high = 0
    low =
      UInt64(bytes[offset]) << 24 | UInt64(bytes[offset + 1]) << 16 | UInt64(bytes[offset + 2]) << 8
      | UInt64(bytes[offset + 3])
    isIPv6 = false
  }

  init(ipv6 bytes: UnsafeRawBufferPointer, at offset: Int) {
    var high: UInt64 = 0
    var low: UInt64 = 0
    for index in 0..<8 { high = high << 8 | UInt64(bytes[offset + index]) }
    for index in 8..<16 { low = low << 8 | UInt64(bytes[offset + index]) }
    self.high = high
    self.low = low
    isIPv6 = true
  }

  public init(high: UInt64, low: UInt64, isIPv6: Bool) {
    self.high = high
    self.low = low
    self.isIPv6 = isIPv6
  }

  public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
    (lhs.isIPv6 ? 1 : 0, lhs.high, lhs.low) < (rhs.isIPv6 ? 1 : 0, rhs.high, rhs.low)
  }

  public var description: String {
    guard isIPv6 else {
      return [24, 16, 8, 0].map { String((low >> UInt64($0)) & 0xFF) }.joined(separator: ".")
    }
    let groups = (0..<8).map { index -> UInt64 in
      let word = index < 4 ? high : low
      return (word >> UInt64(48 - (index % 4) * 16)) & 0xFFFF
    }
    return IPAddress.compress(groups.map { String($0, radix: 16) })
  }

  /// RFC 5952 form: the longest run of zero groups (two or more) becomes `::`.
  private static func compress(_ groups: [String]) -> String {
    var bestStart = -1
    var bestLength = 1
    var index = 0
    while index < groups.count {
      guard groups[index] == "0" else {
        index += 1
        continue
      }
      var end = index
      while end < groups.count && groups[end] == "0" { end += 1 }
      if end - index > bestLength {
        bestStart = index
        bestLength = end - index
      }
      index = end
    }
    guard bestStart >= 0 else { return groups.joined(separator: ":") }
    let head = groups[..<bestStart].joined(separator: ":")
    let tail = groups[(bestStart + bestLength)...].joined(separator: ":")
    return head + "::" + tail
  }
}
