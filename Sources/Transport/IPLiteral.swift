#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// IP address texts, checked with the system's own parser (inet_pton).
public enum IPLiteral {
  /// Whether `text` is an IPv4 or IPv6 address (IPv6 without brackets).
  public static func isAddress(_ text: String) -> Bool {
    isIPv4(text) || isIPv6(text)
  }

  public static func isIPv4(_ text: String) -> Bool {
    var address = in_addr()
    return inet_pton(AF_INET, text, &address) == 1
  }

  public static func isIPv6(_ text: String) -> Bool {
    var address = in6_addr()
    return inet_pton(AF_INET6, text, &address) == 1
  }

  /// Whether the address is on this machine's loopback (127.0.0.0/8 or ::1).
  public static func isLoopback(_ text: String) -> Bool {
    (isIPv4(text) && text.hasPrefix("127.")) || (isIPv6(text) && canonicalIPv6(text) == "::1")
  }

  /// The IPv6 address in its shortest form (`0:0::1` → `::1`); the text itself when not IPv6.
  public static func canonicalIPv6(_ text: String) -> String {
    var address = in6_addr()
    guard inet_pton(AF_INET6, text, &address) == 1 else { return text }
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return text }
    return Self.text(ofCString: buffer)
  }

  /// The text a system call wrote into `buffer`, up to its terminating zero (the address texts
  /// of inet_ntop and getnameinfo).
  static func text(ofCString buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
