/// Parses SIP messages from bytes, within ``SIPLimits``.
///
/// The parser never traps on input: every malformed, oversized or truncated message gives a
/// ``SIPParseError`` with the line and byte offset of the problem.
public struct SIPParser: Sendable {
  public var limits: SIPLimits

  public init(limits: SIPLimits = .default) {
    self.limits = limits
  }

  /// Parses one message that fills `bytes` (a datagram, or a frame cut by ``SIPStreamFramer``).
  public func parse(_ bytes: [UInt8], framing: SIPFraming = .datagram) throws(SIPParseError) -> SIPMessage {
    let result: Result<SIPMessage, SIPParseError> = bytes.withUnsafeBytes { raw in
      Result { () throws(SIPParseError) in try parse(raw, framing: framing) }
    }
    return try result.get()
  }

  /// Parses one message that fills `bytes`.
  public func parse(_ bytes: UnsafeRawBufferPointer, framing: SIPFraming = .datagram) throws(SIPParseError)
    -> SIPMessage
  {
    var reader = MessageReader(bytes: bytes, limits: limits)
    return try reader.read(framing: framing)
  }
}

extension SIPParser {
  /// The start line and headers of a message whose body could not be read (a Content-Length
  /// that is malformed, conflicting or longer than the datagram), with an empty body: enough
  /// for a server to answer 400 to the request, as RFC 3261 §18.3 asks. Nil when even the
  /// head does not parse.
  public func parseHead(_ bytes: UnsafeRawBufferPointer) -> SIPMessage? {
    guard bytes.count <= limits.maxMessageSize else { return nil }
    var reader = MessageReader(bytes: bytes, limits: limits)
    reader.skipLeadingLineBreaks()
    return try? reader.readHead()
  }
}

extension SIPParser {
  /// The start line and the headers a response copies (Via, From, To, Call-ID, CSeq) of a
  /// request whose head does not parse as a whole (a NUL byte in some header, a line over the
  /// limit): the lines that cannot be read are left out, so a server can still answer 400 to
  /// what RFC 3261 §18.3 would otherwise have it drop in silence. Nil when the start line or one
  /// of those headers cannot be read.
  public func answerableHead(_ bytes: UnsafeRawBufferPointer) -> SIPMessage? {
    guard bytes.count <= limits.maxMessageSize else { return nil }
    let copied: Set<String> = ["via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"]
    var kept: [UInt8] = []
    var lineStart = 0
    var isFirst = true
    while lineStart < bytes.count, let lineFeed = bytes[lineStart...].firstIndex(of: .lf) {
      var lineEnd = lineFeed
      if lineEnd > lineStart, bytes[lineEnd - 1] == .cr { lineEnd -= 1 }
      defer { lineStart = lineFeed + 1 }
      if lineEnd == lineStart {
        if isFirst { continue }
        break
      }
      let line = bytes[lineStart..<lineEnd]
      let name = line.prefix { $0 != .colon }
      let isCopied =
        isFirst || copied.contains(String(decoding: name, as: UTF8.self).trimmingSIPWhitespace().lowercased())
      isFirst = false
      guard isCopied, line.count <= limits.maxLineLength, line.allSatisfy({ $0 >= 0x20 || $0 == .tab }) else {
        continue
      }
      kept += line
      kept += [.cr, .lf]
    }
    kept += [.cr, .lf]
    return kept.withUnsafeBytes { parseHead($0) }
  }
}

/// The state of one parse: a cursor over the input and the line counter for error messages.
private struct MessageReader {
  let bytes: UnsafeRawBufferPointer
  let limits: SIPLimits
  var position = 0
  var lineNumber = 0

  init(bytes: UnsafeRawBufferPointer, limits: SIPLimits) {
    self.bytes = bytes
    self.limits = limits
  }

  mutating func read(framing: SIPFraming) throws(SIPParseError) -> SIPMessage {
    skipLeadingLineBreaks()
    guard position < bytes.count else { throw SIPParseError(.empty, line: 0, offset: position) }
    let messageSize = bytes.count - position
    guard messageSize <= limits.maxMessageSize else {
      throw SIPParseError(
        .messageTooLarge(size: messageSize, limit: limits.maxMessageSize), line: 0, offset: position)
    }
    let head = try readHead()
    let body = try readBody(headers: head.headers, framing: framing)
    return SIPMessage(startLine: head.startLine, headers: head.headers, body: body)
  }

  mutating func skipLeadingLineBreaks() {
    while position < bytes.count, bytes[position] == .cr || bytes[position] == .lf { position += 1 }
  }

  /// The start line and the header section, leaving the cursor at the body.
  mutating func readHead() throws(SIPParseError) -> SIPMessage {
    let startLine = try parseStartLine(try nextLine())
    return SIPMessage(startLine: startLine, headers: try readHeaders(), body: [])
  }

  // MARK: Lines

  /// The next line's byte range without its CRLF (or bare LF); advances past the line break.
  mutating func nextLine() throws(SIPParseError) -> Range<Int> {
    lineNumber += 1
    let start = position
    var index = start
    while index < bytes.count, bytes[index] != .lf {
      let byte = bytes[index]
      if byte < 0x20 && byte != .tab && byte != .cr || byte == 0x7F {
        throw SIPParseError(.binaryData(byte), line: lineNumber, offset: index)
      }
      index += 1
      if index - start > limits.maxLineLength {
        throw SIPParseError(.lineTooLong(limit: limits.maxLineLength), line: lineNumber, offset: start)
      }
    }
    guard index < bytes.count else {
      throw SIPParseError(.unterminatedHeaders, line: lineNumber, offset: start)
    }
    position = index + 1
    var end = index
    if end > start, bytes[end - 1] == .cr { end -= 1 }
    return start..<end
  }

  func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[range])
  }

  func string(_ range: Range<Int>) -> String {
    String(decoding: slice(range), as: UTF8.self)
  }

  func trimmed(_ range: Range<Int>) -> Range<Int> {
    var lower = range.lowerBound
    var upper = range.upperBound
    while lower < upper, bytes[lower] == .space || bytes[lower] == .tab { lower += 1 }
    while upper > lower, bytes[upper - 1] == .space || bytes[upper - 1] == .tab { upper -= 1 }
    return lower..<upper
  }

  // MARK: Start line

  func parseStartLine(_ range: Range<Int>) throws(SIPParseError) -> SIPMessage.StartLine {
    var malformed: SIPParseError {
      SIPParseError(
        .malformedStartLine(SIPParseError.excerpt(slice(range))), line: lineNumber, offset: range.lowerBound)
    }
    guard let firstSpace = slice(range).firstIndex(of: .space).map({ $0 + range.lowerBound }) else {
      throw malformed
    }
    let firstToken = firstSpace == range.lowerBound ? nil : range.lowerBound..<firstSpace
    if let firstToken, isSIPVersion(firstToken) {
      return try parseStatusLine(
        afterVersion: firstSpace + 1, end: range.upperBound, malformed: { malformed })
    }
    guard let methodRange = firstToken, slice(methodRange).allSatisfy(\.isTokenCharacter),
      let lastSpace = slice(range).lastIndex(of: .space).map({ $0 + range.lowerBound }),
      lastSpace > firstSpace + 1, isSIPVersion(lastSpace + 1..<range.upperBound)
    else { throw malformed }
    let uriRange = trimmed(firstSpace + 1..<lastSpace)
    guard !uriRange.isEmpty, !slice(uriRange).contains(.space) else { throw malformed }
    return .request(method: SIPMethod(string(methodRange)), uri: string(uriRange))
  }

  func parseStatusLine(afterVersion start: Int, end: Int, malformed: () -> SIPParseError)
    throws(SIPParseError)
    -> SIPMessage.StartLine
  {
    guard end - start >= 3 else { throw malformed() }
    let codeRange = start..<start + 3
    guard slice(codeRange).allSatisfy({ $0 >= .zero && $0 <= .nine }),
      start + 3 == end || bytes[start + 3] == .space
    else {
      throw SIPParseError(
        .invalidStatusCode(SIPParseError.excerpt(slice(start..<end))), line: lineNumber, offset: start)
    }
    let code = slice(codeRange).reduce(0) { $0 * 10 + Int($1 - .zero) }
    guard (100...699).contains(code) else {
      throw SIPParseError(.invalidStatusCode(String(code)), line: lineNumber, offset: start)
    }
    let reason = start + 4 <= end ? string(start + 4..<end) : ""
    return .response(statusCode: code, reason: reason)
  }

  func isSIPVersion(_ range: Range<Int>) -> Bool {
    let expected: [UInt8] = Array("SIP/2.0".utf8)
    guard range.count == expected.count else { return false }
    return zip(slice(range), expected).allSatisfy { $0 | 0x20 == $1 | 0x20 }
  }

  // MARK: Headers

  mutating func readHeaders() throws(SIPParseError) -> SIPHeaders {
    var fields: [SIPHeaderField] = []
    fields.reserveCapacity(16)
    while true {
      let lineStart = position
      let line = try nextLine()
      if line.isEmpty { break }
      if bytes[line.lowerBound] == .space || bytes[line.lowerBound] == .tab {
        guard !fields.isEmpty else {
          throw SIPParseError(.unexpectedContinuation, line: lineNumber, offset: lineStart)
        }
        let continuation = trimmed(line)
        if !continuation.isEmpty {
          fields[fields.count - 1].value += " " + string(continuation)
        }
        continue
      }
      guard fields.count < limits.maxHeaderCount else {
        throw SIPParseError(
          .tooManyHeaders(limit: limits.maxHeaderCount), line: lineNumber, offset: lineStart)
      }
      fields.append(try parseHeaderLine(line))
    }
    return SIPHeaders(fields)
  }

  func parseHeaderLine(_ line: Range<Int>) throws(SIPParseError) -> SIPHeaderField {
    var malformed: SIPParseError {
      SIPParseError(
        .malformedHeader(SIPParseError.excerpt(slice(line))), line: lineNumber, offset: line.lowerBound)
    }
    guard let colon = slice(line).firstIndex(of: .colon).map({ $0 + line.lowerBound }) else {
      throw malformed
    }
    let nameRange = trimmed(line.lowerBound..<colon)
    guard !nameRange.isEmpty, slice(nameRange).allSatisfy(\.isTokenCharacter) else { throw malformed }
    let valueRange = trimmed(colon + 1..<line.upperBound)
    return SIPHeaderField(SIPHeaderName(string(nameRange)), string(valueRange))
  }

  // MARK: Body

  mutating func readBody(headers: SIPHeaders, framing: SIPFraming) throws(SIPParseError) -> [UInt8] {
    let available = bytes.count - position
    guard
      let declared = try SIPParser.contentLength(
        of: headers, limits: limits, line: lineNumber, offset: position)
    else {
      if framing == .stream {
        throw SIPParseError(.missingContentLength, line: lineNumber, offset: position)
      }
      return Array(slice(position..<bytes.count))
    }
    guard declared <= available else {
      throw SIPParseError(
        .truncatedBody(expected: declared, available: available), line: lineNumber, offset: position)
    }
    return Array(slice(position..<position + declared))
  }
}

extension SIPParser {
  /// The Content-Length a header section declares: nil when absent, an error when malformed,
  /// over the size limit, or given twice with different values.
  static func contentLength(of headers: SIPHeaders, limits: SIPLimits, line: Int, offset: Int)
    throws(SIPParseError)
    -> Int?
  {
    var found: Int?
    for field in headers where field.name == .contentLength {
      guard let value = parseLength(field.value, limit: limits.maxMessageSize) else {
        throw SIPParseError(.invalidContentLength("'\(field.value.prefix(20))'"), line: line, offset: offset)
      }
      if let found, found != value {
        throw SIPParseError(.conflictingContentLength, line: line, offset: offset)
      }
      found = value
    }
    return found
  }

  /// A decimal length of at most 10 digits and at most `limit`; nil otherwise.
  static func parseLength<S: StringProtocol>(_ text: S, limit: Int) -> Int? {
    parseLength(utf8: text.utf8, limit: limit)
  }

  /// ``parseLength(_:limit:)`` over a Content-Length value's bytes in place.
  public static func parseLength(bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
    parseLength(utf8: bytes, limit: limit)
  }

  private static func parseLength<Bytes: Collection<UInt8>>(utf8: Bytes, limit: Int) -> Int? {
    guard !utf8.isEmpty, utf8.count <= 10 else { return nil }
    var value = 0
    for byte in utf8 {
      guard byte >= .zero && byte <= .nine else { return nil }
      value = value * 10 + Int(byte - .zero)
    }
    return value <= limit ? value : nil
  }
}

extension UInt8 {
  static let cr = UInt8(ascii: "\r")
  static let lf = UInt8(ascii: "\n")
  static let space = UInt8(ascii: " ")
  static let tab = UInt8(ascii: "\t")
  static let colon = UInt8(ascii: ":")
  static let zero = UInt8(ascii: "0")
  static let nine = UInt8(ascii: "9")

  /// RFC 3261 `token` characters: alphanumerics and `-.!%*_+`'~`.
  var isTokenCharacter: Bool { HeaderSyntax.isTokenByte(self) }
}
