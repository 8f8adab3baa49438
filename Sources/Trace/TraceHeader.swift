/// The first line of a trace: what it is, its format version, and where it came from. Readers
/// refuse versions newer than they know.
public struct TraceHeader: Codable, Sendable, Equatable {
  public static let currentVersion = 1
  public var format = "pubsim-trace"
  public var version = TraceHeader.currentVersion
  public var captures: [String]
  /// Wall-clock time of the first transaction, nanoseconds since 1970.
  public var startedAtNanos: UInt64
  public var transactions: Int

  public init(captures: [String], startedAtNanos: UInt64, transactions: Int) {
    self.captures = captures
    self.startedAtNanos = startedAtNanos
    self.transactions = transactions
  }
}
