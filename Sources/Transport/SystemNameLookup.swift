import CResolv

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ``NameLookup`` through the system's resolver: getaddrinfo for addresses (so /etc/hosts,
/// nsswitch and the RFC 6724 address order apply as for any program), and res_nquery for SRV
/// and NAPTR with the servers of /etc/resolv.conf. These calls block; they run once, before a
/// run starts.
public struct SystemNameLookup: NameLookup {
  /// The largest answer read (a UDP answer is at most 512 bytes without EDNS; TCP more).
  static let answerCapacity = 16_384

  public init() {}

  public func addresses(of name: String) throws(ResolutionError) -> [String] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(name, nil, &hints, &list)
    defer { if let list { freeaddrinfo(list) } }
    guard status == 0 else {
      if pubsim_lookup_found_nothing(status) != 0 { return [] }
      throw ResolutionError(
        name: name, reason: "cannot be looked up: \(String(cString: gai_strerror(status)))")
    }
    var found: [String] = []
    var entry = list
    while let current = entry {
      if let text = Self.text(of: current.pointee), !found.contains(text) { found.append(text) }
      entry = current.pointee.ai_next
    }
    return found
  }

  /// The numeric text of one getaddrinfo result.
  private static func text(of entry: addrinfo) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let status = getnameinfo(
      entry.ai_addr, entry.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
    guard status == 0 else { return nil }
    return IPLiteral.text(ofCString: buffer)
  }

  public func srv(_ name: String) throws(ResolutionError) -> [DNSAnswer.SRV] {
    try query(name, type: Int32(PUBSIM_DNS_SRV)).srv
  }

  public func naptr(_ name: String) throws(ResolutionError) -> [DNSAnswer.NAPTR] {
    try query(name, type: Int32(PUBSIM_DNS_NAPTR)).naptr
  }

  private func query(_ name: String, type: Int32) throws(ResolutionError) -> DNSAnswer {
    var answer = [UInt8](repeating: 0, count: Self.answerCapacity)
    let length = pubsim_dns_query(name, type, &answer, Int32(answer.count))
    switch length {
    case -1, -4: return DNSAnswer()  // no such name, or no records of that type
    case -2: throw ResolutionError(name: name, reason: "cannot be looked up: no DNS server answered")
    case ..<0: throw ResolutionError(name: name, reason: "cannot be looked up: the DNS server failed")
    default: break
    }
    do {
      return try DNSAnswer(Array(answer.prefix(Int(length))))
    } catch {
      throw ResolutionError(name: name, reason: "got a \(error)")
    }
  }
}
