import NIOCore
import SIPCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The local address the system sends from to reach a destination: what Via sent-by and
/// Contact must carry, so that a server answers to an address that is really ours (not
/// 0.0.0.0, not ::1 for a remote host). Found as the kernel finds it, by connecting a UDP
/// socket (which sends nothing) and reading its name.
public enum SourceAddress {
  public struct Unreachable: Error, CustomStringConvertible {
    public var destination: String
    public var reason: String
    /// Whether `destination` is a source address that cannot be sent from.
    public var isSource = false
    public var description: String {
      isSource
        ? "cannot send from \(SIPHost.text(destination)): \(reason)" : "no route to \(destination): \(reason)"
    }
  }

  /// The numeric address (IPv6 without brackets) the kernel would send from to `destination`.
  public static func toward(_ destination: SocketAddress) throws(Unreachable) -> String {
    let family = destination.protocol == .inet6 ? AF_INET6 : AF_INET
    let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { throw failure(destination) }
    defer { close(descriptor) }
    let connected = destination.withSockAddr { connect(descriptor, $0, socklen_t($1)) }
    guard connected == 0 else { throw failure(destination) }
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let named = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw failure(destination) }
    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let status = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getnameinfo($0, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
      }
    }
    guard status == 0 else { throw failure(destination) }
    let text = IPLiteral.text(ofCString: buffer)
    // A link-local IPv6 source carries its zone (fe80::1%eth0), which a Via cannot.
    return text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
  }

  /// Throws unless a socket can send from `address` (it is one of this machine's addresses):
  /// `--local-ip` with an address the machine does not have is one line before the run.
  public static func checkUsable(_ address: String) throws(Unreachable) {
    guard let local = try? SocketAddress(ipAddress: address, port: 0) else {
      throw Unreachable(destination: address, reason: "not an IP address")
    }
    let descriptor = socket(local.protocol == .inet6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { throw unusable(address) }
    defer { close(descriptor) }
    let bound = local.withSockAddr { bind(descriptor, $0, socklen_t($1)) }
    guard bound == 0 else { throw unusable(address) }
  }

  /// Why `address` cannot be sent from, after a failed socket or bind call.
  private static func unusable(_ address: String) -> Unreachable {
    let reason = errno == EADDRNOTAVAIL ? "not an address of this machine" : String(cString: strerror(errno))
    return Unreachable(destination: address, reason: reason, isSource: true)
  }

  private static func failure(_ destination: SocketAddress) -> Unreachable {
    Unreachable(
      destination: destination.ipAddress ?? "\(destination)", reason: String(cString: strerror(errno)))
  }
}
