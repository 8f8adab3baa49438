/// One header line of a message, after unfolding: a name and its raw value text (whitespace
/// around it trimmed). A line carrying several comma-separated values stays one field; use
/// ``SIPHeaders/values(_:)`` to see them one by one.
public struct SIPHeaderField: Hashable, Sendable {
  public var name: SIPHeaderName
  public var value: String

  public init(_ name: SIPHeaderName, _ value: String) {
    self.name = name
    self.value = value
  }
}
