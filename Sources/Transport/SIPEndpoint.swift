import NIOCore
import SIPCore

/// A transport, IP address and port to listen on or send to, read from a SIP URI as users write
/// them (DESIGN.md §4): `sip:127.0.0.1:5060` is UDP, `;transport=tcp` is TCP, `sips:` is TLS.
public struct SIPEndpoint: Hashable, Sendable, CustomStringConvertible {
  public var transport: SIPTransportKind
  /// An IP literal (no brackets for IPv6).
  public var host: String
  public var port: Int

  public init(transport: SIPTransportKind, host: String, port: Int) {
    self.transport = transport
    self.host = host
    self.port = port
  }

  /// Why a URI cannot serve as an endpoint; the description is one line naming the URI.
  public struct InvalidEndpoint: Error, CustomStringConvertible, Equatable {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)': \(reason)" }
  }

  /// Reads an endpoint from a URI text. The host must be an IP address or `localhost` (no DNS
  /// lookups: load tests name their targets exactly).
  public static func parse(_ text: String, defaultPort: Int = 5060) throws(InvalidEndpoint) -> SIPEndpoint {
    let uri: SIPURI
    do {
      uri = try SIPURI.parse(text)
    } catch {
      throw InvalidEndpoint(text: text, reason: error.reason)
    }
    let transport: SIPTransportKind
    switch (uri.isSecure, uri.transportParameter) {
    case (true, nil), (true, "tls"), (true, "tcp"), (false, "tls"): transport = .tls
    case (false, nil), (false, "udp"): transport = .udp
    case (false, "tcp"): transport = .tcp
    case (_, let other?):
      throw InvalidEndpoint(text: text, reason: "unknown transport '\(other)' (use udp, tcp or tls)")
    }
    var host = uri.host
    if host.lowercased() == "localhost" { host = "127.0.0.1" }
    guard (try? SocketAddress(ipAddress: host, port: 0)) != nil else {
      throw InvalidEndpoint(text: text, reason: "host '\(uri.host)' is not an IP address or localhost")
    }
    if uri.user != nil {
      throw InvalidEndpoint(text: text, reason: "an address to listen on or send to takes no user part")
    }
    return SIPEndpoint(
      transport: transport, host: host, port: uri.port ?? (transport == .tls ? 5061 : defaultPort))
  }

  /// The socket address (never resolves names: the host is an IP literal).
  public func socketAddress() throws -> SocketAddress {
    try SocketAddress(ipAddress: host, port: port)
  }

  /// Whether the host is on this machine's loopback (127.0.0.0/8 or ::1).
  public var isLoopback: Bool { host.hasPrefix("127.") || host == "::1" }

  /// The endpoint as a SIP URI.
  public var uri: String {
    let scheme = transport == .tls ? "sips" : "sip"
    let hostPort = HostPort(host: host, port: port).description
    return transport == .tcp ? "\(scheme):\(hostPort);transport=tcp" : "\(scheme):\(hostPort)"
  }

  public var description: String { uri }
}
