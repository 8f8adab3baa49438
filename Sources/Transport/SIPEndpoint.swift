import NIOCore
import SIPCore

/// A transport, IP address and port to listen on or send to: one address of a ``SIPTarget``
/// after its lookup (``TargetResolver``), or an IP literal as users write it (`sip:127.0.0.1:5060`
/// is UDP, `;transport=tcp` is TCP, `sips:` is TLS; README, "Targets").
public struct SIPEndpoint: Hashable, Sendable, CustomStringConvertible {
  public var transport: SIPTransportKind
  /// An IP literal (no brackets for IPv6).
  public var host: String
  public var port: Int
  /// The host name the address was found under, if any: the name a TLS certificate is checked
  /// against, and the one shown beside the address.
  public var name: String?

  public init(transport: SIPTransportKind, host: String, port: Int, name: String? = nil) {
    self.transport = transport
    self.host = host
    self.port = port
    self.name = name
  }

  /// Why a URI cannot serve as an endpoint; the description is one line naming the URI.
  public struct InvalidEndpoint: Error, CustomStringConvertible, Equatable {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)': \(reason)" }
  }

  /// Reads an endpoint from a URI text whose host is an IP address or `localhost` (names and
  /// SRV go through ``TargetResolver``).
  public static func parse(_ text: String, defaultPort: Int = 5060) throws(InvalidEndpoint) -> SIPEndpoint {
    var target = try SIPTarget.parse(text)
    if target.host == "localhost" { target.host = "127.0.0.1" }
    guard target.isIPLiteral else {
      throw InvalidEndpoint(text: text, reason: "host '\(target.host)' is not an IP address")
    }
    return SIPEndpoint(
      transport: target.transport, host: target.host,
      port: target.port ?? (target.transport == .tls ? 5061 : defaultPort))
  }

  /// The socket address (never resolves names: the host is an IP literal).
  public func socketAddress() throws -> SocketAddress {
    try SocketAddress(ipAddress: host, port: port)
  }

  /// Whether the host is on this machine's loopback (127.0.0.0/8 or ::1).
  public var isLoopback: Bool { IPLiteral.isLoopback(host) }

  /// Whether the address is IPv6.
  public var isIPv6: Bool { SIPHost.isIPv6Literal(host) }

  /// The endpoint as a SIP URI of its address.
  public var uri: String {
    let scheme = transport == .tls ? "sips" : "sip"
    let hostPort = HostPort(host: host, port: port).description
    return transport == .tcp ? "\(scheme):\(hostPort);transport=tcp" : "\(scheme):\(hostPort)"
  }

  /// The URI, with the name it was found under: `sip:10.0.0.2:5060 (esc.example.com)`.
  public var description: String { name.map { "\(uri) (\($0))" } ?? uri }
}
