#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The source addresses `--local-ip` (and a profile's `localIp:`) name: single addresses, or
/// CIDR ranges expanded to their host addresses (`10.0.0.8/29` is .9 to .14; a /31 or /32, and
/// any IPv6 range, keeps every address). Pure: whether an address is really on this machine is
/// found when a socket binds to it.
public enum LocalAddressList {
  /// Most addresses a list may expand to: each one gets its own sockets in every shard.
  public static let limit = 1024

  public struct Invalid: Error, CustomStringConvertible, Equatable {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)': \(reason)" }
  }

  /// The addresses, in the order given, without repeats.
  public static func expand(_ items: [String]) throws(Invalid) -> [String] {
    var addresses: [String] = []
    for item in items {
      for address in try expand(item) where !addresses.contains(address) {
        addresses.append(address)
        guard addresses.count <= limit else {
          throw Invalid(text: item, reason: "more than \(limit) addresses in all")
        }
      }
    }
    return addresses
  }

  private static func expand(_ item: String) throws(Invalid) -> [String] {
    let parts = item.split(separator: "/", omittingEmptySubsequences: false)
    let address = String(parts[0])
    guard IPLiteral.isAddress(address) else {
      throw Invalid(text: item, reason: "not an IP address or CIDR range")
    }
    guard parts.count == 2 else {
      guard parts.count == 1 else { throw Invalid(text: item, reason: "not an IP address or CIDR range") }
      return [IPLiteral.canonicalIPv6(address)]
    }
    let isIPv6 = IPLiteral.isIPv6(address)
    let width = isIPv6 ? 128 : 32
    guard let prefix = Int(parts[1]), prefix >= 0, prefix <= width else {
      throw Invalid(text: item, reason: "the prefix length must be 0 to \(width)")
    }
    guard width - prefix <= 10 else {
      throw Invalid(text: item, reason: "a /\(prefix) holds more than \(limit) addresses")
    }
    var bytes = Self.bytes(address, isIPv6: isIPv6)
    let count = 1 << (width - prefix)
    Self.clearHostBits(&bytes, prefix: prefix)
    let hosts = !isIPv6 && count > 2 ? 1..<(count - 1) : 0..<count
    return hosts.map { Self.text(Self.adding($0, to: bytes), isIPv6: isIPv6) }
  }

  private static func bytes(_ address: String, isIPv6: Bool) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: isIPv6 ? 16 : 4)
    _ = inet_pton(isIPv6 ? AF_INET6 : AF_INET, address, &bytes)
    return bytes
  }

  private static func clearHostBits(_ bytes: inout [UInt8], prefix: Int) {
    for index in bytes.indices {
      let kept = max(0, min(8, prefix - index * 8))
      bytes[index] &= kept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - kept))
    }
  }

  /// `bytes` plus `offset`, big-endian.
  private static func adding(_ offset: Int, to bytes: [UInt8]) -> [UInt8] {
    var result = bytes
    var carry = offset
    for index in result.indices.reversed() where carry > 0 {
      let sum = Int(result[index]) + carry
      result[index] = UInt8(sum & 0xFF)
      carry = sum >> 8
    }
    return result
  }

  private static func text(_ bytes: [UInt8], isIPv6: Bool) -> String {
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    _ = inet_ntop(isIPv6 ? AF_INET6 : AF_INET, bytes, &buffer, socklen_t(buffer.count))
    return IPLiteral.text(ofCString: buffer)
  }
}
