import SIPCore

/// Who a publisher is, what stays the same across its requests: its address-of-record, Call-ID
/// number, event package, body type and password. The address, Call-ID and tag are written from
/// these parts, so that sending builds no strings.
public struct PublisherIdentity: Sendable {
  public var user: String
  /// The domain as a URI writes it (an IPv6 literal in brackets).
  public private(set) var domain: String
  /// The publisher's number in the run (in its Call-ID and From tag).
  public var number: Int
  /// The run's tag (in Call-IDs, so runs do not collide).
  public var runTag: String
  /// The Event header's package, and the Content-Type of bodies.
  public var event: String
  public var contentType: String
  public var password: String?

  public init(
    user: String, domain: String, number: Int, runTag: String, event: String, contentType: String,
    password: String?
  ) {
    self.init(
      user: user, uriDomain: SIPHost.text(domain), number: number, runTag: runTag, event: event,
      contentType: contentType, password: password)
  }

  /// With the domain already as a URI writes it (``SIPHost/text(_:)``), as a workload making an
  /// identity per request keeps it.
  public init(
    user: String, uriDomain: String, number: Int, runTag: String, event: String, contentType: String,
    password: String?
  ) {
    self.user = user
    self.domain = uriDomain
    self.number = number
    self.runTag = runTag
    self.event = event
    self.contentType = contentType
    self.password = password
  }

  /// `user@domain`.
  public var aor: String { user + "@" + domain }
}
