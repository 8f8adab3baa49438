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
  /// Transactions by operation, with `invalid` for a PUBLISH that fits none of RFC 3903's four
  /// (its records carry no `operation`); the five add up to `transactions`. Absent from traces
  /// of earlier versions.
  public var operations: [String: Int]?

  public init(captures: [String], startedAtNanos: UInt64, transactions: Int, operations: [String: Int]? = nil)
  {
    self.captures = captures
    self.startedAtNanos = startedAtNanos
    self.transactions = transactions
    self.operations = operations
  }
}
