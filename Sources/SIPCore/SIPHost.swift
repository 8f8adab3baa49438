/// How a host is written in SIP: an IPv6 literal in brackets (RFC 3261 §25.1, RFC 5954), a name
/// or an IPv4 address as it is. Request-URIs, From, To, Via sent-by, Contact, digest `uri`
/// and reports all write hosts through ``text(_:)``, so that an IPv6 target never goes out as
/// `sip:alice@fd00::2` (which servers rightly refuse).
public enum SIPHost {
  /// The host as it goes into a URI or a Via: `[fd00::2]`, `10.0.0.2`, `esc.example.com`.
  /// A host already in brackets is left alone.
  public static func text(_ host: String) -> String {
    isIPv6Literal(host) ? "[" + host + "]" : host
  }

  /// Whether `host` is an IPv6 address without brackets (the only hosts holding a colon).
  public static func isIPv6Literal(_ host: String) -> Bool {
    host.utf8.contains(UInt8(ascii: ":")) && host.utf8.first != UInt8(ascii: "[")
  }
}
