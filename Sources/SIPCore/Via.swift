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
    let utf8 = text.utf8
    let headEnd = utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex
    guard let protocolEnd = utf8[..<headEnd].firstIndex(where: { $0 == .space || $0 == .tab }) else {
      return nil
    }
    let sentProtocol = text[utf8.startIndex..<protocolEnd]
    guard let lastSlash = sentProtocol.utf8.lastIndex(of: UInt8(ascii: "/")),
      sentProtocol.utf8.count > 8,
      sentProtocol.utf8.prefix(8).elementsEqual("SIP/2.0/".utf8, by: { $0 | 0x20 == $1 | 0x20 })
    else { return nil }
    let transportText = sentProtocol[sentProtocol.utf8.index(after: lastSlash)...]
    transport =
      transportText.utf8.contains(where: { $0 >= 0x61 && $0 <= 0x7A })
      ? transportText.uppercased() : String(transportText)
    guard let hostPort = HostPort(String(text[protocolEnd..<headEnd]).trimmingSIPWhitespace()) else {
      return nil
    }
    host = hostPort.host
    port = hostPort.port
    parameters = []
    guard headEnd < utf8.endIndex else { return }
    parameters = SIPParameters.parseList(text[utf8.index(after: headEnd)...])
  }

  /// The `branch` parameter, which identifies the transaction.
  public var branch: String? { parameter("branch") }

  /// Whether the `rport` parameter is present (RFC 3581).
  public var hasRPort: Bool { parameters.contains { SIPParameters.namesEqual($0.name, "rport") } }

  /// The value of a parameter (case-insensitive name); nil when absent or a flag.
  public func parameter(_ name: String) -> String? {
    parameters.first { SIPParameters.namesEqual($0.name, name) }?.value ?? nil
  }

  /// `host:port` as written in the Via.
  public var sentBy: String { HostPort(host: host, port: port).description }

  /// Sets a parameter's value (nil for a flag), replacing it in place or appending it.
  public mutating func setParameter(_ name: String, _ value: String?) {
    if let index = parameters.firstIndex(where: { SIPParameters.namesEqual($0.name, name) }) {
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
