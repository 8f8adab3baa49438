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
        guard let length = length(bytes, value, limit: limits.maxMessageSize) else {
          let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value]), as: UTF8.self)
          throw SIPParseError(
            .invalidContentLength("'\(text.prefix(20))'"), line: lineNumber, offset: lineStart)
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
    let length = 7  // "sip/2.0"
    guard line.count > length else { return false }
    if line[length] == .space, ByteSearch.equals(line, 0..<length, "sip/2.0", ignoringCase: true) {
      return true
    }
    let tail = line.count - length
    return line[tail - 1] == .space
      && ByteSearch.equals(line, tail..<line.count, "sip/2.0", ignoringCase: true)
  }

  /// Searched with memchr: a capture's TCP streams are framed line by line, and the generic
  /// collection search was a third of the extractor's time on them.
  private static func firstLineFeed(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    ByteSearch.first(.lf, in: bytes, start..<bytes.count)
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

  /// Where the raw value lies if the line is a Content-Length header (long or compact form, any
  /// case). The name is told by its length before any byte is compared: most lines are not it.
  private static func contentLengthValue(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Range<Int>? {
    // Only a line starting with `c` or `l` can be it: most lines are told apart by their first
    // byte, before the colon is searched for.
    guard !line.isEmpty,
      bytes[line.lowerBound] | 0x20 == UInt8(ascii: "c")
        || bytes[line.lowerBound] | 0x20 == UInt8(ascii: "l"),
      let colon = ByteSearch.first(.colon, in: bytes, line)
    else { return nil }
    var nameEnd = colon
    while nameEnd > line.lowerBound, bytes[nameEnd - 1] == .space || bytes[nameEnd - 1] == .tab {
      nameEnd -= 1
    }
    let name = line.lowerBound..<nameEnd
    let isLength =
      (name.count == 1 && bytes[name.lowerBound] | 0x20 == UInt8(ascii: "l"))
      || ByteSearch.equals(bytes, name, "content-length", ignoringCase: true)
    return isLength ? colon + 1..<line.upperBound : nil
  }

  /// A Content-Length value: 1 to 10 digits between optional spaces and tabs, at most `limit`.
  private static func length(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>, limit: Int) -> Int? {
    var start = value.lowerBound
    var end = value.upperBound
    while start < end, bytes[start] == .space || bytes[start] == .tab { start += 1 }
    while end > start, bytes[end - 1] == .space || bytes[end - 1] == .tab { end -= 1 }
    guard start < end, end - start <= 10 else { return nil }
    var length = 0
    for index in start..<end {
      let byte = bytes[index]
      guard byte >= .zero && byte <= .nine else { return nil }
      length = length * 10 + Int(byte - .zero)
    }
    return length <= limit ? length : nil
  }
}
