/// The four things a PUBLISH can do, told apart by body, SIP-If-Match and Expires (RFC 3903 §4.1):
///
/// | operation | body | SIP-If-Match | Expires |
/// |---|---|---|---|
/// | initial | yes | no | > 0 |
/// | refresh | no | yes | > 0 |
/// | modify | yes | yes | > 0 |
/// | remove | no | yes | 0 |
public enum PublishOperation: String, CaseIterable, Hashable, Sendable, Codable {
  case initial
  case refresh
  case modify
  case remove

  /// Classifies a request by RFC 3903's table. `expires` is the requested lifetime (nil when the
  /// header is absent, which means the server's default, so not a removal).
  ///
  /// A request with neither body nor SIP-If-Match is none of the four (the ESC answers 400);
  /// `Expires: 0` with SIP-If-Match is a removal whether or not a body came along; `Expires: 0`
  /// without SIP-If-Match but with a body is an initial publication that asks for no lifetime.
  public static func classify(hasBody: Bool, hasIfMatch: Bool, expires: UInt32?) -> PublishOperation? {
    switch (hasBody, hasIfMatch) {
    case (_, true) where expires == 0: return .remove
    case (true, false): return .initial
    case (false, true): return .refresh
    case (true, true): return .modify
    case (false, false): return nil
    }
  }
}
