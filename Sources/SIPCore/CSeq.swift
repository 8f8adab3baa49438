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
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard parts.count == 2, parts[0].utf8.count <= 10, let number = UInt32(parts[0]) else { return nil }
    sequence = number
    method = SIPMethod(String(parts[1]))
  }

  public var description: String { "\(sequence) \(method)" }
}
