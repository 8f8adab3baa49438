/// A header field name, compared case-insensitively and with compact forms expanded
/// (`i` is Call-ID, `l` is Content-Length, ...; RFC 3261 §7.3.3 and the event-package RFCs).
///
/// The stored form is the lower-cased long name, so two names are equal exactly when SIP says they
/// are. ``displayName`` gives the conventional spelling used when a message is written.
public struct SIPHeaderName: Hashable, Sendable, CustomStringConvertible {
  /// Lower-cased long form, e.g. `call-id`.
  public let canonical: String

  /// Creates a name from any spelling: any case, long or compact form.
  public init(_ name: String) {
    let lower = name.lowercased()
    if lower.utf8.count == 1, let long = Self.compactForms[lower] {
      canonical = long
    } else {
      canonical = lower
    }
  }

  private init(canonical: String) { self.canonical = canonical }

  /// The conventional spelling (`Call-ID`, `SIP-ETag`, `X-Custom-Header`).
  public var displayName: String {
    // The two every PUBLISH answer carries, without hashing the name.
    if canonical == "sip-etag" { return "SIP-ETag" }
    if canonical == "expires" { return "Expires" }
    if let known = Self.displayNames[canonical] { return known }
    return canonical.split(separator: "-", omittingEmptySubsequences: false)
      .map { $0.prefix(1).uppercased() + $0.dropFirst() }
      .joined(separator: "-")
  }

  public var description: String { displayName }

  /// Headers whose value may be a comma-separated list that means the same as repeated lines.
  public var allowsList: Bool { Self.listHeaders.contains(canonical) }

  /// Headers that may appear at most once; a duplicate makes a request malformed (answered 400).
  public var isSingleValued: Bool { Self.singleValued.contains(canonical) }

  public static let via = SIPHeaderName(canonical: "via")
  public static let from = SIPHeaderName(canonical: "from")
  public static let to = SIPHeaderName(canonical: "to")
  public static let callID = SIPHeaderName(canonical: "call-id")
  public static let cseq = SIPHeaderName(canonical: "cseq")
  public static let contact = SIPHeaderName(canonical: "contact")
  public static let maxForwards = SIPHeaderName(canonical: "max-forwards")
  public static let contentLength = SIPHeaderName(canonical: "content-length")
  public static let contentType = SIPHeaderName(canonical: "content-type")
  public static let event = SIPHeaderName(canonical: "event")
  public static let expires = SIPHeaderName(canonical: "expires")
  public static let minExpires = SIPHeaderName(canonical: "min-expires")
  public static let sipETag = SIPHeaderName(canonical: "sip-etag")
  public static let sipIfMatch = SIPHeaderName(canonical: "sip-if-match")
  public static let allow = SIPHeaderName(canonical: "allow")
  public static let allowEvents = SIPHeaderName(canonical: "allow-events")
  public static let accept = SIPHeaderName(canonical: "accept")
  public static let supported = SIPHeaderName(canonical: "supported")
  public static let userAgent = SIPHeaderName(canonical: "user-agent")
  public static let server = SIPHeaderName(canonical: "server")
  public static let authorization = SIPHeaderName(canonical: "authorization")
  public static let proxyAuthorization = SIPHeaderName(canonical: "proxy-authorization")
  public static let wwwAuthenticate = SIPHeaderName(canonical: "www-authenticate")
  public static let proxyAuthenticate = SIPHeaderName(canonical: "proxy-authenticate")
  public static let retryAfter = SIPHeaderName(canonical: "retry-after")

  static let compactForms: [String: String] = [
    "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
    "c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via",
    "o": "event", "u": "allow-events", "r": "refer-to", "b": "referred-by", "x": "session-expires",
  ]

  static let displayNames: [String: String] = [
    "call-id": "Call-ID", "cseq": "CSeq", "sip-etag": "SIP-ETag", "sip-if-match": "SIP-If-Match",
    "www-authenticate": "WWW-Authenticate", "via": "Via", "from": "From", "to": "To", "contact": "Contact",
    "max-forwards": "Max-Forwards", "content-length": "Content-Length", "content-type": "Content-Type",
    "event": "Event", "expires": "Expires", "min-expires": "Min-Expires", "allow": "Allow",
    "allow-events": "Allow-Events", "accept": "Accept", "supported": "Supported", "user-agent": "User-Agent",
    "server": "Server", "authorization": "Authorization", "proxy-authorization": "Proxy-Authorization",
    "proxy-authenticate": "Proxy-Authenticate", "retry-after": "Retry-After", "route": "Route",
    "record-route": "Record-Route", "require": "Require",
  ]

  static let listHeaders: Set<String> = [
    "via", "allow", "allow-events", "supported", "require", "proxy-require", "unsupported",
    "route", "record-route", "accept", "accept-encoding", "accept-language", "content-encoding",
  ]

  static let singleValued: Set<String> = [
    "call-id", "cseq", "from", "to", "content-length", "content-type", "expires", "event",
    "sip-if-match", "max-forwards", "min-expires",
  ]
}
