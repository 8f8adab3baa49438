import SIPCore

/// One address to try for a target, and how it was found (printed once when a run starts).
public struct ResolvedTarget: Equatable, Sendable, CustomStringConvertible {
  public var endpoint: SIPEndpoint
  /// `A record of esc.example.com`, `SRV _sip._udp.example.com → b.example.com:5060 (priority
  /// 20, weight 0), AAAA record`, ...
  public var how: String

  public init(endpoint: SIPEndpoint, how: String) {
    self.endpoint = endpoint
    self.how = how
  }

  public var description: String { "\(endpoint.uri) (\(how))" }
}

/// Locates a SIP server as RFC 3263 §4 says, through a ``NameLookup``:
/// - an IP address is used as it is;
/// - a name with a port: its A and AAAA records, in the system's preferred order;
/// - a name without a port: NAPTR (only when the transport was not chosen) picks the transport
///   and the SRV name; SRV records (`_sip._udp`, `_sip._tcp`, `_sips._tcp`) ordered by priority
///   and weight (RFC 2782) give hosts and ports, each host's addresses in turn; with no SRV
///   record, the name's own addresses on the default port.
///
/// The result is every address to try, best first: a caller fails over down the list when one
/// does not answer.
public struct TargetResolver: Sendable {
  let lookup: any NameLookup

  public init(lookup: any NameLookup = SystemNameLookup()) {
    self.lookup = lookup
  }

  public func resolve(_ target: SIPTarget) throws(ResolutionError) -> [ResolvedTarget] {
    if target.isIPLiteral {
      return [ResolvedTarget(endpoint: endpoint(target, host: target.host, port: nil), how: "IP address")]
    }
    // RFC 6761: localhost is this machine, never a DNS question.
    if target.host == "localhost" {
      return [ResolvedTarget(endpoint: endpoint(target, host: "127.0.0.1", port: nil), how: "localhost")]
    }
    if target.port == nil, let found = try viaSRV(target), !found.isEmpty { return found }
    let found = try addresses(
      target, host: target.host, port: target.port, how: { "\($0) of \(target.host)" })
    guard !found.isEmpty else {
      throw ResolutionError(
        name: target.host,
        reason: target.port == nil
          ? "does not resolve (no SRV, A or AAAA record)" : "does not resolve (no A or AAAA record)")
    }
    return found
  }

  /// The SRV names to ask, with the transport each stands for: NAPTR's choice, else the one
  /// asked for (or, when none was, each transport in turn).
  private func serviceNames(_ target: SIPTarget) throws(ResolutionError) -> [(
    SIPTransportKind, String, String
  )] {
    if !target.transportIsExplicit {
      let naptr = try lookup.naptr(target.host)
        .filter { $0.flags.lowercased() == "s" && Self.transport(ofService: $0.service) != nil }
        .sorted { ($0.order, $0.preference) < ($1.order, $1.preference) }
      if !naptr.isEmpty {
        return naptr.compactMap { record in
          Self.transport(ofService: record.service).map {
            ($0, record.replacement, "NAPTR \(record.service) → SRV \(record.replacement)")
          }
        }
      }
    }
    let transports: [SIPTransportKind] = target.transportIsExplicit ? [target.transport] : [.udp, .tcp, .tls]
    return transports.map {
      ($0, Self.srvPrefix($0) + target.host, "SRV " + Self.srvPrefix($0) + target.host)
    }
  }

  private func viaSRV(_ target: SIPTarget) throws(ResolutionError) -> [ResolvedTarget]? {
    for (transport, name, how) in try serviceNames(target) {
      var generator = SystemRandomNumberGenerator()
      let records = Self.ordered(try lookup.srv(name).filter { $0.target != "." }, using: &generator)
      guard !records.isEmpty else { continue }
      var found: [ResolvedTarget] = []
      var viaTarget = target
      viaTarget.transport = transport
      for record in records {
        let via =
          "\(how) → \(SIPHost.text(record.target)):\(record.port) (priority \(record.priority), weight \(record.weight))"
        found += try addresses(viaTarget, host: record.target, port: Int(record.port)) { "\(via), \($0)" }
      }
      guard !found.isEmpty else {
        throw ResolutionError(
          name: target.host, reason: "has SRV records (\(name)) whose hosts do not resolve")
      }
      return found
    }
    return nil
  }

  private func addresses(_ target: SIPTarget, host: String, port: Int?, how: (String) -> String)
    throws(ResolutionError) -> [ResolvedTarget]
  {
    try lookup.addresses(of: host).map { address in
      ResolvedTarget(
        endpoint: endpoint(target, host: address, port: port),
        how: how(IPLiteral.isIPv6(address) ? "AAAA record" : "A record"))
    }
  }

  private func endpoint(_ target: SIPTarget, host: String, port: Int?) -> SIPEndpoint {
    SIPEndpoint(
      transport: target.transport, host: host, port: port ?? target.port ?? target.defaultPort,
      name: target.isIPLiteral ? nil : target.host)
  }

  static func srvPrefix(_ transport: SIPTransportKind) -> String {
    switch transport {
    case .udp: return "_sip._udp."
    case .tcp: return "_sip._tcp."
    case .tls: return "_sips._tcp."
    }
  }

  /// The transport of a NAPTR service field (RFC 3263 §4.1); nil for one pubsim does not speak.
  static func transport(ofService service: String) -> SIPTransportKind? {
    switch service.uppercased() {
    case "SIP+D2U": return .udp
    case "SIP+D2T": return .tcp
    case "SIPS+D2T": return .tls
    default: return nil
    }
  }

  /// SRV records in the order to try them (RFC 2782): lowest priority first; within a priority,
  /// drawn at random with chances proportional to weight (weight-0 records placed first, so
  /// they are picked only when the draw lands on 0 or nothing else is left).
  public static func ordered(_ records: [DNSAnswer.SRV], using generator: inout some RandomNumberGenerator)
    -> [DNSAnswer.SRV]
  {
    var result: [DNSAnswer.SRV] = []
    for priority in Set(records.map(\.priority)).sorted() {
      var left = records.filter { $0.priority == priority }.sorted { ($0.weight == 0) && ($1.weight != 0) }
      while !left.isEmpty {
        let total = left.reduce(0) { $0 + Int($1.weight) }
        let draw = Int.random(in: 0...total, using: &generator)
        var running = 0
        let index =
          left.firstIndex { record in
            running += Int(record.weight)
            return running >= draw
          } ?? 0
        result.append(left.remove(at: index))
      }
    }
    return result
  }
}
