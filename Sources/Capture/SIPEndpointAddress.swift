import SIPCore

/// Where a captured message came from or went to: address, port and transport.
public struct SIPEndpointAddress: Hashable, Sendable, CustomStringConvertible {
  public var address: IPAddress
  public var port: UInt16
  public var isTCP: Bool

  public var description: String {
    "\(SIPHost.text(address.description)):\(port)/\(isTCP ? "tcp" : "udp")"
  }
}
