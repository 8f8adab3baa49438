import NIOCore
import Transport

/// Transaction identifiers carried in the Via branch, so that a response finds its transaction
/// without a hash lookup: `z9hG4bK-<run>-<shard>-<slot>-<generation>`. The run tag keeps stray
/// responses from an earlier run from matching.
@_spi(Benchmarks) public struct BranchCode: Equatable, Sendable {
  var run: UInt32
  var shard: Int
  var slot: Int
  var generation: UInt32

  /// The branch as text (what ``write(into:)`` puts on the wire).
  var text: String {
    var buffer = ByteBuffer()
    write(into: &buffer)
    return String(buffer: buffer)
  }

  public init(run: UInt32, shard: Int, slot: Int, generation: UInt32) {
    self.run = run
    self.shard = shard
    self.slot = slot
    self.generation = generation
  }

  /// Writes the branch digit by digit (base 36, lower case): no strings on the send path.
  func write(into buffer: inout ByteBuffer) {
    buffer.writeCursor(reserving: Self.longest) { write(into: &$0) }
  }

  /// The longest branch written: the prefix, four numbers of up to 13 base-36 digits, three dashes.
  static let longest = 8 + 4 * 13 + 3

  func write(into cursor: inout ByteCursor) {
    cursor.put("z9hG4bK-")
    Self.writeBase36(UInt64(run), into: &cursor)
    cursor.put(UInt8(ascii: "-"))
    Self.writeBase36(UInt64(shard), into: &cursor)
    cursor.put(UInt8(ascii: "-"))
    Self.writeBase36(UInt64(slot), into: &cursor)
    cursor.put(UInt8(ascii: "-"))
    Self.writeBase36(UInt64(generation), into: &cursor)
  }

  private static func writeBase36(_ value: UInt64, into cursor: inout ByteCursor) {
    var place: UInt64 = 1
    while place <= value / 36 { place *= 36 }
    var rest = value
    repeat {
      let digit = UInt8(rest / place)
      cursor.put(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
      rest %= place
      place /= 36
    } while place > 0
  }

  /// Reads a branch this engine wrote; nil for anything else.
  init?(_ branch: String) {
    var branch = branch
    guard let code = branch.withUTF8({ Self(UnsafeRawBufferPointer($0)) }) else { return nil }
    self = code
  }

  /// Reads a branch this engine wrote from its bytes (a response's Via); nil for anything else.
  init?(_ bytes: UnsafeRawBufferPointer) {
    let prefix: StaticString = "z9hG4bK-"
    let start = prefix.utf8CodeUnitCount
    guard bytes.count > start,
      bytes.prefix(start).elementsEqual(UnsafeRawBufferPointer(start: prefix.utf8Start, count: start))
    else { return nil }
    var parts: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var part = 0
    var value: UInt64 = 0
    var digits = 0
    for byte in bytes[start...] {
      if byte == UInt8(ascii: "-") {
        guard digits > 0, part < 3 else { return nil }
        switch part {
        case 0: parts.0 = value
        case 1: parts.1 = value
        default: parts.2 = value
        }
        (part, value, digits) = (part + 1, 0, 0)
        continue
      }
      guard let digit = Self.base36Digit(byte), digits < 12 else { return nil }
      value = value * 36 + UInt64(digit)
      digits += 1
    }
    parts.3 = value
    guard digits > 0, part == 3, let run = UInt32(exactly: parts.0), let generation = UInt32(exactly: parts.3)
    else { return nil }
    self.init(run: run, shard: Int(parts.1), slot: Int(parts.2), generation: generation)
  }

  private static func base36Digit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
