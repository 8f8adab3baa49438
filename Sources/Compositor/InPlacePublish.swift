import Publication
import SIPCore

/// A PUBLISH read in place from its bytes: the compositor's path for the requests it answers by
/// the thousand a second. Building a ``SIPMessage`` makes a String of every header and the
/// checks then read them back; this reads the lines once and keeps byte ranges.
///
/// It takes only a request it can read whole and finds well formed by the general path's own
/// checks (``HeaderSyntax``, ``CSeq``, ``ViaFields``, ``SIPURI``,
/// ``PublishRequest/deltaSeconds(_:)``, the parser's line and length rules). Anything else gives
/// nil and goes the general way, which answers it as before: a malformed or unusual request
/// (folded lines, a second Via, bytes past ASCII in the head, a quoted branch, a method in
/// another spelling). So this changes how soon an answer is written, not which answer; the
/// tests compare the two paths' responses byte for byte.
struct InPlacePublish {
  /// The header values the response copies or the rules read, as byte ranges of the message
  /// (trimmed, as the parser trims them).
  struct Values {
    /// Each field's value range, by ``Field``; meaningful where ``present`` has its bit.
    private var ranges = InlineArray<11, Range<Int>>(repeating: 0..<0)
    private var present: UInt16 = 0
    /// The order From, To, Call-ID and CSeq came in: the response copies them in that order.
    var copiedOrder = CopiedOrder()

    subscript(field: Field) -> Range<Int>? {
      get { present & 1 << field.rawValue != 0 ? ranges[field.rawValue] : nil }
      set {
        if let newValue {
          ranges[field.rawValue] = newValue
          present |= 1 << field.rawValue
        } else {
          present &= ~(1 << field.rawValue)
        }
      }
    }

    var via: Range<Int>? { self[.via] }
    var from: Range<Int>? { self[.from] }
    var to: Range<Int>? { self[.to] }
    var callID: Range<Int>? { self[.callID] }
    var cseq: Range<Int>? { self[.cseq] }
    var maxForwards: Range<Int>? { self[.maxForwards] }
    var event: Range<Int>? { self[.event] }
    var expires: Range<Int>? { self[.expires] }
    var ifMatch: Range<Int>? { self[.ifMatch] }
    var contentType: Range<Int>? { self[.contentType] }
    var contentLength: Range<Int>? { self[.contentLength] }
  }

  /// Up to four copied header names in order, two bits each: no array to allocate per request.
  struct CopiedOrder: Sequence, IteratorProtocol {
    private var packed: UInt8 = 0
    private var count: UInt8 = 0

    mutating func append(_ name: ResponseWriter.CopiedName) {
      guard count < 4 else { return }
      packed |= name.rawValue << (2 * count)
      count += 1
    }

    mutating func next() -> ResponseWriter.CopiedName? {
      guard count > 0 else { return nil }
      defer {
        packed >>= 2
        count -= 1
      }
      return ResponseWriter.CopiedName(rawValue: packed & 3)
    }
  }

  /// The header fields this reader knows. Other names are neither checked nor copied by the
  /// general path either, so they are passed over.
  enum Field: Int {
    case via, from, to, callID, cseq, maxForwards, event, expires, ifMatch, contentType, contentLength
  }

  let values: Values
  let topVia: ViaFields
  let request: PublishRequest

  /// Reads `bytes` (one datagram, or one framed message of a stream); nil when the general
  /// path must read it.
  init?(_ bytes: UnsafeRawBufferPointer, framing: SIPFraming, limits: SIPLimits) {
    var reader = LineReader(bytes: bytes, limits: limits)
    while reader.position < bytes.count, bytes[reader.position] == .cr || bytes[reader.position] == .lf {
      reader.position += 1
    }
    guard reader.position < bytes.count, bytes.count - reader.position <= limits.maxMessageSize,
      let startLine = reader.nextLine(), let uri = Self.requestURI(bytes, startLine),
      let values = Self.readHeaders(&reader)
    else { return nil }
    guard let via = values.via, values.from != nil, values.to != nil, values.callID != nil,
      let cseq = values.cseq, Self.isWellFormed(values, bytes),
      let topVia = ViaFields(Self.buffer(bytes, via)),
      let resource = SIPURI.addressOfRecord(of: Self.buffer(bytes, uri)),
      let body = Self.body(
        bytes, from: reader.position, length: values.contentLength, framing: framing, limits)
    else { return nil }
    let sequence = CSeq(bytes: Self.buffer(bytes, cseq))
    guard let sequence, sequence.sequence < 1 << 31, sequence.method == .publish else { return nil }
    var expires: UInt32?
    if let range = values.expires {
      guard let value = PublishRequest.deltaSeconds(Self.text(bytes, range)) else { return nil }
      expires = value
    }
    self.values = values
    self.topVia = topVia
    request = PublishRequest(
      resource: resource, event: values.event.map { PublishRequest.token(Self.text(bytes, $0)) },
      ifMatch: values.ifMatch.flatMap { $0.isEmpty ? nil : Self.text(bytes, $0) }, expires: expires,
      contentType: values.contentType.map { PublishRequest.token(Self.text(bytes, $0)) }, body: body)
  }

  /// The Request-URI of a `PUBLISH uri SIP/2.0` line, by the parser's rules; nil for any other
  /// method or spelling.
  private static func requestURI(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Range<Int>? {
    let method = line.lowerBound..<min(line.lowerBound + 8, line.upperBound)
    guard ByteSearch.equals(bytes, method, "PUBLISH "),
      let lastSpace = bytes[line].lastIndex(of: .space), lastSpace > method.upperBound,
      ByteSearch.equals(bytes, lastSpace + 1..<line.upperBound, "sip/2.0", ignoringCase: true)
    else { return nil }
    let uri = trimmed(bytes, method.upperBound..<lastSpace)
    guard !uri.isEmpty, !bytes[uri].contains(.space) else { return nil }
    return uri
  }

  /// The header lines up to the blank line, each field at most once (Via too: a request with
  /// several Via lines goes the general way).
  private static func readHeaders(_ reader: inout LineReader) -> Values? {
    var values = Values()
    var count = 0
    while true {
      guard let line = reader.nextLine() else { return nil }
      if line.isEmpty { return values }
      let bytes = reader.bytes
      // A folded line, or more lines than the parser takes.
      guard bytes[line.lowerBound] != .space, bytes[line.lowerBound] != .tab,
        count < reader.limits.maxHeaderCount,
        let colon = ByteSearch.first(.colon, in: bytes, line)
      else { return nil }
      count += 1
      let name = trimmed(bytes, line.lowerBound..<colon)
      guard !name.isEmpty, bytes[name].allSatisfy(\.isHeaderTokenByte) else { return nil }
      switch field(bytes, name) {
      case .known(let field):
        guard values[field] == nil else { return nil }
        values[field] = trimmed(bytes, colon + 1..<line.upperBound)
        if let copied = ResponseWriter.CopiedName(field) { values.copiedOrder.append(copied) }
      case .other: continue
      case .unread: return nil
      }
    }
  }

  /// The checks of ``RequestChecks`` that a request with each field once can fail.
  private static func isWellFormed(_ values: Values, _ bytes: UnsafeRawBufferPointer) -> Bool {
    func holds(_ range: Range<Int>?, _ check: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
      range.map { check(buffer(bytes, $0)) } ?? true
    }
    guard let via = values.via, !bytes[via].contains(UInt8(ascii: ",")) else { return false }
    return holds(via, HeaderSyntax.isVia) && holds(values.from, HeaderSyntax.isNameAddress)
      && holds(values.to, HeaderSyntax.isNameAddress) && holds(values.callID, HeaderSyntax.isCallID)
      && holds(values.event, HeaderSyntax.isEvent) && holds(values.contentType, HeaderSyntax.isMediaType)
      && holds(values.ifMatch, HeaderSyntax.isToken)
      && holds(values.maxForwards) { PublishRequest.deltaSeconds(String(decoding: $0, as: UTF8.self)) != nil }
  }

  /// The body by the parser's rules: Content-Length bytes (no more than there are), or over a
  /// datagram without one, the rest.
  private static func body(
    _ bytes: UnsafeRawBufferPointer, from start: Int, length: Range<Int>?, framing: SIPFraming,
    _ limits: SIPLimits
  ) -> [UInt8]? {
    guard let length else { return framing == .datagram ? Array(bytes[start...]) : nil }
    guard
      let declared = SIPParser.parseLength(
        bytes: UnsafeRawBufferPointer(rebasing: bytes[length]), limit: limits.maxMessageSize),
      declared <= bytes.count - start
    else { return nil }
    return Array(bytes[start..<start + declared])
  }

  enum Name {
    case known(Field)
    /// A field the general path does not check for a PUBLISH (User-Agent, Contact, ...).
    case other
    /// A field this reader leaves to the general path (Min-Expires, checked once only there).
    case unread
  }

  /// A header name, long or compact, in any case.
  static func field(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Name {
    func isName(_ text: StaticString) -> Bool { ByteSearch.equals(bytes, name, text, ignoringCase: true) }
    switch name.count {
    case 1:
      switch bytes[name.lowerBound] | 0x20 {
      case UInt8(ascii: "v"): return .known(.via)
      case UInt8(ascii: "f"): return .known(.from)
      case UInt8(ascii: "t"): return .known(.to)
      case UInt8(ascii: "i"): return .known(.callID)
      case UInt8(ascii: "o"): return .known(.event)
      case UInt8(ascii: "c"): return .known(.contentType)
      case UInt8(ascii: "l"): return .known(.contentLength)
      default: return .other
      }
    case 2 where isName("to"): return .known(.to)
    case 3 where isName("via"): return .known(.via)
    case 4 where isName("from"): return .known(.from)
    case 4 where isName("cseq"): return .known(.cseq)
    case 5 where isName("event"): return .known(.event)
    case 7 where isName("call-id"): return .known(.callID)
    case 7 where isName("expires"): return .known(.expires)
    case 11 where isName("min-expires"): return .unread
    case 12 where isName("max-forwards"): return .known(.maxForwards)
    case 12 where isName("sip-if-match"): return .known(.ifMatch)
    case 12 where isName("content-type"): return .known(.contentType)
    case 14 where isName("content-length"): return .known(.contentLength)
    default: return .other
    }
  }

  static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
    var lower = range.lowerBound
    var upper = range.upperBound
    while lower < upper, bytes[lower] == .space || bytes[lower] == .tab { lower += 1 }
    while upper > lower, bytes[upper - 1] == .space || bytes[upper - 1] == .tab { upper -= 1 }
    return lower..<upper
  }

  static func buffer(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self)[range])
  }

  static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    String(decoding: bytes[range], as: UTF8.self)
  }

  /// Whether `range` holds only printable ASCII and tabs. Eight bytes at a time: a word with no
  /// byte below 0x20 and none from 0x7F up passes at once (the tests may flag a word falsely, never
  /// miss one); a flagged word (a tab, say) is looked at byte by byte.
  static func isPlainText(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let spaces: UInt64 = 0x2020_2020_2020_2020
    let highBits: UInt64 = 0x8080_8080_8080_8080
    var index = range.lowerBound
    while index + 8 <= range.upperBound {
      let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      let below = ((word &- spaces) & ~word) & highBits
      let above = (word | (word &+ ones)) & highBits
      if below | above != 0, !isPlainBytes(bytes, index..<index + 8) { return false }
      index += 8
    }
    return isPlainBytes(bytes, index..<range.upperBound)
  }

  private static func isPlainBytes(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
    for byte in bytes[range] where byte < 0x20 && byte != .tab || byte >= 0x7F { return false }
    return true
  }
}

/// The parser's line rules (``SIPParser``) over bytes in place, stricter in one way: a byte past
/// ASCII in the head sends the request the general way, so that every value read here is text
/// the general path would read the same.
private struct LineReader {
  let bytes: UnsafeRawBufferPointer
  let limits: SIPLimits
  var position = 0

  /// The next line without its line break; nil at a control byte, a byte past ASCII, a line
  /// over the limit or the end without a line feed.
  mutating func nextLine() -> Range<Int>? {
    let start = position
    guard let lineFeed = ByteSearch.first(.lf, in: bytes, start..<bytes.count),
      lineFeed - start <= limits.maxLineLength
    else { return nil }
    var end = lineFeed
    if end > start, bytes[end - 1] == .cr { end -= 1 }
    guard InPlacePublish.isPlainText(bytes, start..<end) else { return nil }
    position = lineFeed + 1
    return start..<end
  }
}

extension UInt8 {
  fileprivate static let cr = UInt8(ascii: "\r")
  fileprivate static let lf = UInt8(ascii: "\n")
  fileprivate static let space = UInt8(ascii: " ")
  fileprivate static let tab = UInt8(ascii: "\t")
  fileprivate static let colon = UInt8(ascii: ":")

  /// RFC 3261 `token` characters, as the parser takes header names.
  fileprivate var isHeaderTokenByte: Bool { HeaderSyntax.isTokenByte(self) }
}
