/// The link layers pubsim decodes, by libpcap DLT value.
public enum LinkType: Sendable, Equatable, CustomStringConvertible {
  /// BSD loopback (DLT_NULL, host byte order family) and OpenBSD loopback (DLT_LOOP, network order).
  case null
  case loop
  /// Ethernet, with 802.1Q and QinQ tags.
  case ethernet
  /// Raw IPv4 or IPv6, no link header.
  case raw
  case ipv4
  case ipv6
  /// Linux cooked capture v1 and v2 (`tcpdump -i any`).
  case linuxCooked
  case linuxCooked2

  public init?(dlt: Int32) {
    switch dlt {
    case 0: self = .null
    case 108: self = .loop
    case 1: self = .ethernet
    case 12, 14, 101: self = .raw
    case 228: self = .ipv4
    case 229: self = .ipv6
    case 113: self = .linuxCooked
    case 276: self = .linuxCooked2
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .null: return "BSD loopback"
    case .loop: return "OpenBSD loopback"
    case .ethernet: return "Ethernet"
    case .raw: return "raw IP"
    case .ipv4: return "raw IPv4"
    case .ipv6: return "raw IPv6"
    case .linuxCooked: return "Linux cooked v1"
    case .linuxCooked2: return "Linux cooked v2"
    }
  }
}
