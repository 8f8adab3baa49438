import Publication
import SIPCore

extension WatcherStateMachine.Response {
  /// The parts of a SUBSCRIBE's final response a watcher acts on; nil for a request.
  public init?(_ message: SIPMessage) {
    guard let statusCode = message.statusCode else { return nil }
    let headers = message.headers
    self.init(
      statusCode: statusCode, expires: headers[.expires].flatMap(Self.seconds),
      minExpires: headers[.minExpires].flatMap(Self.seconds),
      toTag: headers[.to].flatMap(NameAddress.init)?.tag,
      contact: headers[.contact].flatMap(NameAddress.init)?.uri,
      retryAfter: headers[.retryAfter].flatMap(Self.seconds))
  }

  /// A delta-seconds value (its leading digits; a comment or parameters after them are left).
  static func seconds(_ text: String) -> UInt32? {
    UInt32(text.trimmingSIPWhitespace().prefix { $0.isASCII && $0.isNumber })
  }
}

extension WatcherStateMachine.NotifiedState {
  /// A Subscription-State value (RFC 6665 §8.2.3): `active;expires=600`,
  /// `terminated;reason=timeout;retry-after=30`. An unknown state is taken as active, as the
  /// RFC asks.
  public init(_ text: String) {
    let parts = text.split(separator: ";").map { String($0).trimmingSIPWhitespace() }
    var parameters: [String: String] = [:]
    for part in parts.dropFirst() {
      let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSIPWhitespace() }
      guard let name = pair.first else { continue }
      parameters[name.lowercased()] = pair.count > 1 ? pair[1] : ""
    }
    let expires = parameters["expires"].flatMap(WatcherStateMachine.Response.seconds)
    switch parts.first?.lowercased() {
    case "terminated":
      self = .terminated(
        reason: parameters["reason"],
        retryAfter: parameters["retry-after"].flatMap(WatcherStateMachine.Response.seconds))
    case "pending": self = .pending(expires: expires)
    default: self = .active(expires: expires)
    }
  }
}
