/// The transports a SIP URI can name (`;transport=` or the `sips:` scheme).
public enum SIPTransportKind: String, Sendable, CaseIterable, CustomStringConvertible {
  case udp
  case tcp
  case tls

  /// Whether the transport is a byte stream, which frames messages by Content-Length.
  public var isStream: Bool { self != .udp }

  public var description: String { rawValue }

  /// The Via header's name for it, with the space that follows (`SIP/2.0/TLS `).
  public var viaName: String {
    switch self {
    case .udp: "UDP "
    case .tcp: "TCP "
    case .tls: "TLS "
    }
  }
}
