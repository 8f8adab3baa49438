/// The lookups RFC 3263 is made of, as a protocol so that ``TargetResolver``'s procedure is
/// tested without DNS; ``SystemNameLookup`` asks the system's resolver.
public protocol NameLookup: Sendable {
  /// The addresses of a name (A and AAAA, in the system's preferred order); empty when none.
  func addresses(of name: String) throws(ResolutionError) -> [String]
  /// SRV records under `name` (`_sip._udp.example.com`); empty when none.
  func srv(_ name: String) throws(ResolutionError) -> [DNSAnswer.SRV]
  /// NAPTR records under `name`; empty when none.
  func naptr(_ name: String) throws(ResolutionError) -> [DNSAnswer.NAPTR]
}

/// Why a target's name gave no address: one line naming the name.
public struct ResolutionError: Error, CustomStringConvertible, Equatable {
  public var name: String
  public var reason: String

  public init(name: String, reason: String) {
    self.name = name
    self.reason = reason
  }

  public var description: String { "'\(name)' \(reason)" }
}
