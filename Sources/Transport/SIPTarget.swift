import SIPCore

/// A server as a user names it in a SIP URI, before any lookup: `sip:esc.example.com`,
/// `sip:[fd00::2]:5060;transport=tcp`, `sips:10.0.0.2`. ``TargetResolver`` turns it into the
/// addresses to try (RFC 3263); ``SIPEndpoint`` is one of those.
public struct SIPTarget: Hashable, Sendable, CustomStringConvertible {
  public var transport: SIPTransportKind
  /// A host name (lower-cased) or an IP literal (IPv6 without brackets).
  public var host: String
  /// The port, when the URI gives one (RFC 3263 then skips SRV).
  public var port: Int?
  /// Whether the transport was chosen (by `sips:`, `;transport=` or the caller) rather than
  /// defaulted to UDP; only a target without one is looked up with NAPTR.
  public var transportIsExplicit: Bool

  public init(transport: SIPTransportKind, host: String, port: Int? = nil, transportIsExplicit: Bool = true) {
    self.transport = transport
    self.host = host
    self.port = port
    self.transportIsExplicit = transportIsExplicit
  }

  /// Reads a target from a URI text; the error is one line naming the URI.
  public static func parse(_ text: String) throws(SIPEndpoint.InvalidEndpoint) -> SIPTarget {
    let uri: SIPURI
    do {
      uri = try SIPURI.parse(text)
    } catch {
      throw SIPEndpoint.InvalidEndpoint(text: text, reason: error.reason)
    }
    let transport: SIPTransportKind
    switch (uri.isSecure, uri.transportParameter) {
    case (true, nil), (true, "tls"), (true, "tcp"), (false, "tls"): transport = .tls
    case (false, nil), (false, "udp"): transport = .udp
    case (false, "tcp"): transport = .tcp
    case (_, let other?):
      throw SIPEndpoint.InvalidEndpoint(
        text: text, reason: "unknown transport '\(other)' (use udp, tcp or tls)")
    }
    if uri.user != nil {
      throw SIPEndpoint.InvalidEndpoint(
        text: text, reason: "an address to listen on or send to takes no user part")
    }
    guard Self.isUsableHost(uri.host) else {
      throw SIPEndpoint.InvalidEndpoint(
        text: text, reason: "host '\(uri.host)' is neither an IP address nor a host name")
    }
    let host = IPLiteral.isAddress(uri.host) ? uri.host : uri.host.lowercased()
    return SIPTarget(
      transport: transport, host: host, port: uri.port,
      transportIsExplicit: uri.isSecure || uri.transportParameter != nil)
  }

  /// A name of letters, digits, hyphens and dots (RFC 1123), or an IP literal.
  private static func isUsableHost(_ host: String) -> Bool {
    if IPLiteral.isAddress(host) { return true }
    return !host.isEmpty && host.utf8.count <= 253
      && host.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D
          || byte == 0x2E || byte == 0x5F
      }
  }

  /// Whether the host is an IP address (no lookup needed).
  public var isIPLiteral: Bool { IPLiteral.isAddress(host) }

  /// The port when none is given and SRV gives none either (RFC 3261 §19.1.2).
  public var defaultPort: Int { transport == .tls ? 5061 : 5060 }

  /// The target as a SIP URI.
  public var description: String {
    let scheme = transport == .tls ? "sips" : "sip"
    let hostPort = HostPort(host: host, port: port).description
    return transport == .tcp ? "\(scheme):\(hostPort);transport=tcp" : "\(scheme):\(hostPort)"
  }
}
