/// A SIP request method. Methods are case-sensitive tokens (RFC 3261 §7.1); the common ones have
/// named constants, and any other token is kept as it is.
public struct SIPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }

  public static let publish = SIPMethod("PUBLISH")
  public static let options = SIPMethod("OPTIONS")
  public static let subscribe = SIPMethod("SUBSCRIBE")
  public static let notify = SIPMethod("NOTIFY")
  public static let register = SIPMethod("REGISTER")
  public static let invite = SIPMethod("INVITE")
  public static let ack = SIPMethod("ACK")
  public static let bye = SIPMethod("BYE")
  public static let cancel = SIPMethod("CANCEL")
  public static let message = SIPMethod("MESSAGE")

  public var description: String { rawValue }
}
