/// Bounds the parser enforces so that hostile or broken input costs bounded memory and time.
///
/// Every limit that is exceeded produces a ``SIPParseError`` naming it; nothing is truncated silently.
public struct SIPLimits: Sendable, Equatable {
  /// Largest whole message (start line, headers and body) in bytes.
  public var maxMessageSize: Int
  /// Largest number of header fields (after unfolding) in one message.
  public var maxHeaderCount: Int
  /// Longest single line (start line or header line, before unfolding) in bytes.
  public var maxLineLength: Int

  public init(maxMessageSize: Int = 65_535, maxHeaderCount: Int = 256, maxLineLength: Int = 8_192) {
    self.maxMessageSize = maxMessageSize
    self.maxHeaderCount = maxHeaderCount
    self.maxLineLength = maxLineLength
  }

  /// The defaults: 64 KiB messages, 256 headers, 8 KiB lines.
  public static let `default` = SIPLimits()
}
