/// One Via value: `SIP/2.0/UDP host:port;branch=z9hG4bK...;rport`.
///
/// Transactions are matched by the branch of the top Via (RFC 3261 §17); responses over UDP go
/// to the sent-by port, or to the source port when `rport` is present (RFC 3581).
public struct Via: Hashable, Sendable {
  /// `UDP`, `TCP`, `TLS`, ... upper-cased.
  public var transport: String
  public var host: String
  public var port: Int?
  /// Parameters in order; a flag parameter such as `rport` has a nil value.
  public var parameters: [(name: String, value: String?)]

  public init(transport: String, host: String, port: Int?, parameters: [(name: String, value: String?)]) {
    self.transport = transport
    self.host = host
    self.port = port
    self.parameters = parameters
  }

  /// Parses one Via value; nil if it is not `SIP/2.0/TRANSPORT sent-by`.
  public init?(_ text: String) {
    let pieces = text.split(separator: ";", omittingEmptySubsequences: false)
    guard let head = pieces.first else { return nil }
    let protocolAndHost = head.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard protocolAndHost.count == 2 else { return nil }
    let protocolParts = protocolAndHost[0].split(separator: "/")
    guard protocolParts.count == 3, protocolParts[0].uppercased() == "SIP" else { return nil }
    transport = protocolParts[2].uppercased()
    guard let hostPort = HostPort(String(protocolAndHost[1])) else { return nil }
    host = hostPort.host
    port = hostPort.port
    parameters = pieces.dropFirst().map { SIPParameters.parse(Substring($0)) }
  }

  /// The `branch` parameter, which identifies the transaction.
  public var branch: String? { parameter("branch") }

  /// Whether the `rport` parameter is present (RFC 3581).
  public var hasRPort: Bool { parameters.contains { $0.name.lowercased() == "rport" } }

  /// The value of a parameter (case-insensitive name); nil when absent or a flag.
  public func parameter(_ name: String) -> String? {
    parameters.first { $0.name.lowercased() == name }?.value ?? nil
  }

  /// `host:port` as written in the Via.
  public var sentBy: String { HostPort(host: host, port: port).description }

  /// Sets a parameter's value (nil for a flag), replacing it in place or appending it.
  public mutating func setParameter(_ name: String, _ value: String?) {
    if let index = parameters.firstIndex(where: { $0.name.lowercased() == name }) {
      parameters[index].value = value
    } else {
      parameters.append((name, value))
    }
  }

  /// The Via as written in a header.
  public var text: String {
    var result = "SIP/2.0/\(transport) \(sentBy)"
    for parameter in parameters {
      result += ";" + parameter.name
      if let value = parameter.value { result += "=" + value }
    }
    return result
  }

  public static func == (lhs: Via, rhs: Via) -> Bool {
    lhs.transport == rhs.transport && lhs.host == rhs.host && lhs.port == rhs.port
      && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(transport)
    hasher.combine(host)
    hasher.combine(port)
  }
}
