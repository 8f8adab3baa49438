/// Cuts SIP messages out of a byte stream (TCP, TLS), however the stream was split into reads or
/// coalesced: each message ends Content-Length bytes after the empty line that closes its headers.
///
/// ``frame(_:limits:)`` is the pure core, shared with the SwiftNIO decoder; the struct adds a
/// buffer for callers that feed bytes as they come. A framing error leaves the stream
/// unrecoverable at that point: a caller closes the connection (or, for a capture, resynchronises).
public struct SIPStreamFramer: Sendable {
  /// What the bytes at the head of a stream hold.
  public enum Frame: Equatable, Sendable {
    /// Not enough bytes yet to know.
    case needMoreData
    /// Keep-alive line breaks (RFC 5626 CRLF pings) to discard: this many bytes.
    case skip(Int)
    /// A whole message of this many bytes.
    case message(Int)
  }

  public let limits: SIPLimits
  private var pending: [UInt8] = []
  private var readIndex = 0

  public init(limits: SIPLimits = .default) {
    self.limits = limits
  }

  /// Bytes received but not yet returned as a message.
  public var bufferedByteCount: Int { pending.count - readIndex }

  /// Adds bytes read from the stream.
  public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    if readIndex > 0 && readIndex * 2 >= pending.count {
      pending.removeFirst(readIndex)
      readIndex = 0
    }
    pending.append(contentsOf: bytes)
  }

  /// The next whole message's bytes, or nil when more input is needed.
  public mutating func nextFrame() throws(SIPParseError) -> [UInt8]? {
    while true {
      let frame: Result<Frame, SIPParseError> = pending.withUnsafeBytes { raw in
        let unread = UnsafeRawBufferPointer(rebasing: raw[readIndex...])
        return Result { () throws(SIPParseError) in try SIPStreamFramer.frame(unread, limits: limits) }
      }
      switch try frame.get() {
      case .needMoreData: return nil
      case .skip(let count): readIndex += count
      case .message(let length):
        defer { readIndex += length }
        return Array(pending[readIndex..<readIndex + length])
      }
    }
  }

  /// The next whole message, parsed, or nil when more input is needed.
  public mutating func nextMessage() throws(SIPParseError) -> SIPMessage? {
    guard let bytes = try nextFrame() else { return nil }
    return try SIPParser(limits: limits).parse(bytes, framing: .stream)
  }

  /// Looks at the head of a stream and says whether a whole message is there.
  ///
  /// Throws when the head can never become a valid message: no Content-Length, a bad one, or a
  /// line, header count or size over the limits. Error offsets are relative to `bytes`.
  public static func frame(_ bytes: UnsafeRawBufferPointer, limits: SIPLimits) throws(SIPParseError) -> Frame
  {
    var leading = 0
    while leading < bytes.count, bytes[leading] == .cr || bytes[leading] == .lf { leading += 1 }
    if leading > 0 { return .skip(leading) }
    var lineStart = 0
    var lineNumber = 1
    var contentLength: Int?
    while true {
      guard let lineFeed = firstLineFeed(in: bytes, from: lineStart) else {
        return try needMoreData(bytes, lineStart: lineStart, lineNumber: lineNumber, limits: limits)
      }
      var lineEnd = lineFeed
      if lineEnd > lineStart, bytes[lineEnd - 1] == .cr { lineEnd -= 1 }
      if lineEnd - lineStart > limits.maxLineLength {
        throw SIPParseError(.lineTooLong(limit: limits.maxLineLength), line: lineNumber, offset: lineStart)
      }
      if lineEnd == lineStart {
        return try completeFrame(bytes, headerEnd: lineFeed + 1, contentLength: contentLength, limits: limits)
      }
      // A stream that does not start with a start line is not SIP: say so now rather than
      // buffer it up to the size limit (the connection is then closed).
      if lineNumber == 1, !isStartLine(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])) {
        throw SIPParseError(
          .malformedStartLine(
            SIPParseError.excerpt(UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd]))),
          line: 1, offset: 0)
      }
      if lineNumber > 1, let value = contentLengthValue(bytes, lineStart..<lineEnd) {
        guard
          let length = SIPParser.parseLength(
            String(value).trimmingSIPWhitespace(), limit: limits.maxMessageSize)
        else {
          throw SIPParseError(
            .invalidContentLength("'\(value.prefix(20))'"), line: lineNumber, offset: lineStart)
        }
        if let contentLength, contentLength != length {
          throw SIPParseError(.conflictingContentLength, line: lineNumber, offset: lineStart)
        }
        contentLength = length
      }
      lineStart = lineFeed + 1
      lineNumber += 1
      if lineNumber > limits.maxHeaderCount + 2 {
        throw SIPParseError(
          .tooManyHeaders(limit: limits.maxHeaderCount), line: lineNumber, offset: lineStart)
      }
    }
  }

  /// `SIP/2.0 ` at the start (a response) or ` SIP/2.0` at the end (a request), in any case.
  private static func isStartLine(_ line: UnsafeRawBufferPointer) -> Bool {
    let version = "sip/2.0".utf8
    guard line.count > version.count else { return false }
    func matches(_ slice: UnsafeRawBufferPointer.SubSequence) -> Bool {
      zip(slice, version).allSatisfy { byte, expected in
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == expected
      }
    }
    let head = line.prefix(version.count + 1)
    if matches(head), head.last == .space { return true }
    let tail = line.suffix(version.count + 1)
    return tail.first == .space && matches(tail.dropFirst())
  }

  private static func firstLineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    guard start < bytes.count else { return nil }
    return bytes[start...].firstIndex(of: .lf)
  }

  private static func needMoreData(
    _ bytes: UnsafeRawBufferPointer, lineStart: Int, lineNumber: Int, limits: SIPLimits
  ) throws(SIPParseError) -> Frame {
    if bytes.count - lineStart > limits.maxLineLength {
      throw SIPParseError(.lineTooLong(limit: limits.maxLineLength), line: lineNumber, offset: lineStart)
    }
    if bytes.count > limits.maxMessageSize {
      throw SIPParseError(
        .messageTooLarge(size: bytes.count, limit: limits.maxMessageSize), line: 0, offset: 0)
    }
    return .needMoreData
  }

  private static func completeFrame(
    _ bytes: UnsafeRawBufferPointer, headerEnd: Int, contentLength: Int?, limits: SIPLimits
  ) throws(SIPParseError) -> Frame {
    guard let contentLength else {
      throw SIPParseError(.missingContentLength, line: 0, offset: 0)
    }
    let total = headerEnd + contentLength
    guard total <= limits.maxMessageSize else {
      throw SIPParseError(.messageTooLarge(size: total, limit: limits.maxMessageSize), line: 0, offset: 0)
    }
    return bytes.count >= total ? .message(total) : .needMoreData
  }

  /// The raw value if the line is a Content-Length header (long or compact form, any case).
  private static func contentLengthValue(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Substring? {
    let text = UnsafeRawBufferPointer(rebasing: bytes[line])
    guard let colon = text.firstIndex(of: .colon) else { return nil }
    var nameEnd = colon
    while nameEnd > 0, text[nameEnd - 1] == .space || text[nameEnd - 1] == .tab { nameEnd -= 1 }
    let name = UnsafeRawBufferPointer(rebasing: text[0..<nameEnd])
    let isLength =
      (name.count == 1 && name[0] | 0x20 == UInt8(ascii: "l"))
      || (name.count == 14 && zip(name, "content-length".utf8).allSatisfy { $0 | 0x20 == $1 })
    guard isLength else { return nil }
    return Substring(String(decoding: UnsafeRawBufferPointer(rebasing: text[(colon + 1)...]), as: UTF8.self))
  }
}
