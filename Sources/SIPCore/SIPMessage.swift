/// A SIP request or response: start line, header fields and body.
///
/// The same type serves both directions so that the parser, the serializer and the stream framer
/// need one code path; ``isRequest`` and the accessors tell the two apart.
public struct SIPMessage: Hashable, Sendable {
  /// The first line of a message.
  public enum StartLine: Hashable, Sendable {
    case request(method: SIPMethod, uri: String)
    case response(statusCode: Int, reason: String)
  }

  public var startLine: StartLine
  public var headers: SIPHeaders
  public var body: [UInt8]

  public init(startLine: StartLine, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
    self.startLine = startLine
    self.headers = headers
    self.body = body
  }

  /// A request with the given method and Request-URI.
  public static func request(
    _ method: SIPMethod, uri: String, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []
  ) -> SIPMessage {
    SIPMessage(startLine: .request(method: method, uri: uri), headers: headers, body: body)
  }

  /// A response with the given status code and reason phrase.
  public static func response(
    _ statusCode: Int, _ reason: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []
  ) -> SIPMessage {
    let phrase = reason ?? SIPStatus.reasonPhrase(for: statusCode)
    return SIPMessage(
      startLine: .response(statusCode: statusCode, reason: phrase), headers: headers, body: body)
  }

  public var isRequest: Bool {
    if case .request = startLine { return true }
    return false
  }

  /// The request method, or nil for a response.
  public var method: SIPMethod? {
    if case .request(let method, _) = startLine { return method }
    return nil
  }

  /// The Request-URI, or nil for a response.
  public var requestURI: String? {
    if case .request(_, let uri) = startLine { return uri }
    return nil
  }

  /// The status code, or nil for a request.
  public var statusCode: Int? {
    if case .response(let code, _) = startLine { return code }
    return nil
  }

  /// The topmost Via, parsed; nil if absent or malformed.
  public var topVia: Via? {
    guard let field = headers[.via] else { return nil }
    guard field.utf8.contains(UInt8(ascii: ",")) else { return Via(field) }
    return SIPHeaders.splitList(field).first.flatMap(Via.init)
  }

  /// The `branch` parameter of the top Via, found without parsing the whole Via.
  public var topViaBranch: String? {
    guard let field = headers[.via] else { return nil }
    let utf8 = field.utf8
    let end = utf8.firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
    let marker = Array(";branch=".utf8)
    var index = utf8.startIndex
    while index < end {
      if utf8[index] == UInt8(ascii: ";"),
        utf8[index..<end].prefix(marker.count).elementsEqual(marker, by: { $0 | 0x20 == $1 | 0x20 })
      {
        let start = utf8.index(index, offsetBy: marker.count)
        let stop = utf8[start..<end].firstIndex(where: { $0 == UInt8(ascii: ";") || $0 == .space }) ?? end
        return String(field[start..<stop])
      }
      index = utf8.index(after: index)
    }
    return nil
  }

  /// The CSeq header, parsed; nil if absent or malformed.
  public var cseq: CSeq? {
    headers[.cseq].flatMap(CSeq.init)
  }

  /// The body as UTF-8 text (lossy), for logs and templates.
  public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
