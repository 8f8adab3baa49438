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
    let utf8 = text.utf8
    var index = utf8.startIndex
    while index < utf8.endIndex, utf8[index] == .space || utf8[index] == .tab {
      index = utf8.index(after: index)
    }
    var number: UInt64 = 0
    var digits = 0
    while index < utf8.endIndex, utf8[index] >= .zero, utf8[index] <= .nine {
      number = number * 10 + UInt64(utf8[index] - .zero)
      digits += 1
      guard digits <= 10 else { return nil }
      index = utf8.index(after: index)
    }
    guard digits > 0, number <= UInt64(UInt32.max), index < utf8.endIndex,
      utf8[index] == .space || utf8[index] == .tab
    else { return nil }
    while index < utf8.endIndex, utf8[index] == .space || utf8[index] == .tab {
      index = utf8.index(after: index)
    }
    var end = utf8.endIndex
    while end > index, utf8[utf8.index(before: end)] == .space || utf8[utf8.index(before: end)] == .tab {
      end = utf8.index(before: end)
    }
    guard index < end, !utf8[index..<end].contains(.space), !utf8[index..<end].contains(.tab) else {
      return nil
    }
    sequence = UInt32(number)
    method = SIPMethod(String(text[index..<end]))
  }

  public var description: String { "\(sequence) \(method)" }
}
