/// The CSeq header: a sequence number and the method it belongs to (`42 PUBLISH`).
public struct CSeq: Hashable, Sendable, CustomStringConvertible {
  public var sequence: UInt32
  public var method: SIPMethod

  public init(_ sequence: UInt32, _ method: SIPMethod) {
    self.sequence = sequence
    self.method = method
  }

  /// Parses `NUMBER METHOD`; nil unless the number fits 32 bits and a method follows.
  public init?(_ text: String) {
    var text = text
    guard let read = text.withUTF8({ CSeq(bytes: $0) }) else { return nil }
    self = read
  }

  /// ``init(_:)`` over the value's bytes in place.
  public init?(bytes utf8: UnsafeBufferPointer<UInt8>) {
    let blank = { (byte: UInt8) in byte == .space || byte == .tab }
    var index = 0
    while index < utf8.count, blank(utf8[index]) { index += 1 }
    var number: UInt64 = 0
    var digits = 0
    while index < utf8.count, utf8[index] >= .zero, utf8[index] <= .nine {
      number = number * 10 + UInt64(utf8[index] - .zero)
      digits += 1
      guard digits <= 10 else { return nil }
      index += 1
    }
    guard digits > 0, number <= UInt64(UInt32.max), index < utf8.count, blank(utf8[index]) else { return nil }
    while index < utf8.count, blank(utf8[index]) { index += 1 }
    var end = utf8.count
    while end > index, blank(utf8[end - 1]) { end -= 1 }
    guard index < end, !utf8[index..<end].contains(where: blank) else { return nil }
    sequence = UInt32(number)
    method = SIPMethod(String(decoding: utf8[index..<end], as: UTF8.self))
  }

  public var description: String { "\(sequence) \(method)" }
}
