/// What a server's transaction layer reads of a top Via, read from the value's bytes in place:
/// the sent-by, the branch and whether `rport` was asked for (RFC 3261 §17.2.3, RFC 3581).
///
/// It reads a value exactly as ``Via`` does (the same head, sent-by and parameter rules) and
/// gives the same ``host``, ``port``, ``branch`` and ``hasRPort``, without building the parameter
/// list: a compositor reads one per request. A branch written as a quoted string is not read
/// (nil): ``Via`` unquotes by characters, and such a request is left to the general path.
public struct ViaFields: Sendable, Equatable {
  public var host: String
  public var port: Int?
  public var branch: String?
  public var hasRPort: Bool

  /// Reads one Via value (no comma list); nil when ``Via`` would not read it, or its branch is
  /// quoted.
  public init?(_ value: UnsafeBufferPointer<UInt8>) {
    let whole = value[...]
    let headEnd = whole.firstIndex(of: UInt8(ascii: ";")) ?? whole.endIndex
    guard let protocolEnd = whole[..<headEnd].firstIndex(where: { $0 == .space || $0 == .tab }) else {
      return nil
    }
    let sentProtocol = whole[..<protocolEnd]
    guard sentProtocol.lastIndex(of: UInt8(ascii: "/")) != nil, sentProtocol.count > 8,
      sentProtocol.prefix(8).elementsEqual("SIP/2.0/".utf8, by: { $0 | 0x20 == $1 | 0x20 }),
      let hostPort = HostPort(
        bytes: UnsafeBufferPointer(rebasing: HeaderSyntax.trimmed(whole[protocolEnd..<headEnd])))
    else { return nil }
    host = hostPort.host
    port = hostPort.port
    branch = nil
    hasRPort = false
    var branchSeen = false
    var start = min(headEnd + 1, whole.endIndex)
    while start < whole.endIndex {
      let end = HeaderSyntax.parameterEnd(whole[start...])
      let piece = whole[start..<end]
      let equals = piece.firstIndex(of: UInt8(ascii: "="))
      let name = HeaderSyntax.trimmed(piece[..<(equals ?? piece.endIndex)])
      if Via.is(name, "rport") {
        hasRPort = true
      } else if !branchSeen, Via.is(name, "branch") {
        branchSeen = true
        if let equals {
          let text = HeaderSyntax.trimmed(piece[(equals + 1)...])
          guard !text.contains(UInt8(ascii: "\"")) else { return nil }
          branch = String(decoding: text, as: UTF8.self)
        }
      }
      start = end < whole.endIndex ? end + 1 : end
    }
  }
}
