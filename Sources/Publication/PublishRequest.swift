import SIPCore

/// What RFC 3903 needs to know about a PUBLISH, read from the message once: the resource, the
/// event package, the entity-tag it is conditional on, the requested lifetime and the body.
///
/// Building one also checks the request is well formed; anything malformed that a server must
/// answer with 400 becomes a ``MalformedRequest`` naming the header.
public struct PublishRequest: Sendable {
  /// The address-of-record of the resource (`user@host` of the Request-URI).
  public var resource: String
  /// The event package (`presence`), lower-cased, without parameters.
  public var event: String?
  /// The SIP-If-Match entity-tag, if any.
  public var ifMatch: String?
  /// The requested Expires, nil when absent. Values above 2^32-1 read as 2^32-1.
  public var expires: UInt32?
  /// The body's media type (`application/pidf+xml`), lower-cased, without parameters.
  public var contentType: String?
  public var body: [UInt8]

  /// The RFC 3903 operation, or nil when the request has neither body nor SIP-If-Match.
  public var operation: PublishOperation? {
    PublishOperation.classify(hasBody: !body.isEmpty, hasIfMatch: ifMatch != nil, expires: expires)
  }

  /// Why a request is malformed; the reason phrase of the 400 a server sends.
  public struct MalformedRequest: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
  }

  /// A request read by other means (a server's reader of PUBLISH bytes in place), its values
  /// already as ``init(_:validating:)`` would have them.
  public init(
    resource: String, event: String?, ifMatch: String?, expires: UInt32?, contentType: String?, body: [UInt8]
  ) {
    self.resource = resource
    self.event = event
    self.ifMatch = ifMatch
    self.expires = expires
    self.contentType = contentType
    self.body = body
  }

  /// Reads a PUBLISH (or any request: only PUBLISH semantics are applied). With `validating`
  /// false the RFC 3261 well-formedness checks are skipped (to classify what a capture holds,
  /// as it was sent).
  public init(_ message: SIPMessage, validating: Bool = true) throws(MalformedRequest) {
    if validating { try RequestChecks.requireWellFormed(message) }
    guard let uriText = message.requestURI, let resource = SIPURI.addressOfRecord(of: uriText) else {
      throw MalformedRequest("Bad Request-URI")
    }
    self.resource = resource
    event = message.headers[.event].map(Self.token)
    ifMatch = message.headers[.sipIfMatch].flatMap { $0.isEmpty ? nil : $0 }
    if let expiresText = message.headers[.expires] {
      guard let value = Self.deltaSeconds(expiresText) else { throw MalformedRequest("Bad Expires") }
      expires = value
    }
    contentType = message.headers[.contentType].map(Self.token)
    body = message.body
  }

  /// `delta-seconds`: digits only; values past 2^32-1 read as 2^32-1 (RFC 3261 §20.19).
  public static func deltaSeconds(_ text: String) -> UInt32? {
    let trimmed = text.trimmingSIPWhitespace()
    guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    return UInt32(trimmed) ?? UInt32.max
  }

  /// The first token of a header value, lower-cased: `presence;id=1` -> `presence`.
  public static func token(_ text: String) -> String {
    let utf8 = text.utf8
    let head = text[..<(utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex)]
    let trimmed = (head.endIndex == text.endIndex ? text : String(head)).trimmingSIPWhitespace()
    return trimmed.utf8.contains { $0 >= 0x41 && $0 <= 0x5A } ? trimmed.lowercased() : trimmed
  }
}
