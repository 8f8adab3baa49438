/// What the PUBLISH picture needs from one SIP message, read in a single pass over its header
/// section without building a full message: the transaction key (top Via branch, Call-ID,
/// CSeq), and the RFC 3903 fields (Event, SIP-If-Match, Expires, SIP-ETag, body or not). Messages
/// whose CSeq is not PUBLISH stop being read as soon as that is known.
///
/// This is what lets extraction keep up with large captures; ``SIPParser`` remains the reference
/// for everything else.
public struct PublishScan: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case request(method: String, uri: String)
    case response(statusCode: Int)
  }

  public var kind: Kind
  public var callID: String
  public var sequence: UInt32
  public var branch: String
  public var event: String?
  public var ifMatch: String?
  public var expires: UInt32?
  public var entityTag: String?
  public var minExpires: UInt32?
  /// A 401's WWW-Authenticate or a 407's Proxy-Authenticate value.
  public var wwwAuthenticate: String?
  public var proxyAuthenticate: String?
  public var hasBody: Bool

  enum Field {
    case via, callID, cseq, event, ifMatch, expires, entityTag, contentLength, minExpires, wwwAuthenticate
    case proxyAuthenticate, retryAfter
  }

  /// The same reading as positions in the scanned bytes, with no string made: what extraction
  /// uses to go through millions of messages, materialising text only where it keeps it.
  public struct Fields: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
      case request(method: Range<Int>, uri: Range<Int>)
      case response(statusCode: Int)
    }

    public var kind: Kind
    public var callID: Range<Int> = 0..<0
    public var sequence: UInt32 = 0
    public var branch: Range<Int>?
    public var event: Range<Int>?
    public var ifMatch: Range<Int>?
    public var expires: UInt32?
    public var entityTag: Range<Int>?
    public var minExpires: UInt32?
    /// Retry-After's delta-seconds (a 503's, say; any comment or parameters after it ignored).
    public var retryAfter: UInt32?
    public var wwwAuthenticate: Range<Int>?
    public var proxyAuthenticate: Range<Int>?
    public var hasBody = false

    /// Nothing read yet: what ``PublishScan/read(_:into:)`` writes into.
    public init(kind: Kind = .response(statusCode: 0)) {
      self.kind = kind
    }

    /// Whether the request's method is PUBLISH (responses: false).
    public func isPublishRequest(in bytes: UnsafeRawBufferPointer) -> Bool {
      guard case .request(let method, _) = kind else { return false }
      return ByteSearch.equals(bytes, method, "PUBLISH")
    }
  }

  /// Reads a message; nil when it is not a PUBLISH request or response, or lacks what
  /// identifies a transaction.
  public static func scan(_ bytes: UnsafeRawBufferPointer) -> PublishScan? {
    guard let fields = fields(bytes) else { return nil }
    let kind: Kind
    switch fields.kind {
    case .request(let method, let uri): kind = .request(method: text(bytes, method), uri: text(bytes, uri))
    case .response(let code): kind = .response(statusCode: code)
    }
    return PublishScan(
      kind: kind, callID: text(bytes, fields.callID), sequence: fields.sequence,
      branch: fields.branch.map { text(bytes, $0) } ?? "", event: fields.event.map { lowercased(bytes, $0) },
      ifMatch: fields.ifMatch.map { text(bytes, $0) }, expires: fields.expires,
      entityTag: fields.entityTag.map { text(bytes, $0) }, minExpires: fields.minExpires,
      wwwAuthenticate: fields.wwwAuthenticate.map { text(bytes, $0) },
      proxyAuthenticate: fields.proxyAuthenticate.map { text(bytes, $0) }, hasBody: fields.hasBody)
  }

  /// Reads a message into ``Fields``; nil when it is not a PUBLISH request or response, or lacks
  /// what identifies a transaction.
  public static func fields(_ bytes: UnsafeRawBufferPointer) -> Fields? {
    var fields = Fields()
    return read(bytes, into: &fields) ? fields : nil
  }

  /// ``fields(_:)`` written into `fields` (what it held is replaced); false where that gives
  /// nil. For the per-message callers: `Fields` is about 230 bytes, and returning it across a
  /// module boundary copied it once more per message (3 % of an extraction).
  public static func read(_ bytes: UnsafeRawBufferPointer, into fields: inout Fields) -> Bool {
    var lineStart = 0
    while lineStart < bytes.count, bytes[lineStart] == 13 || bytes[lineStart] == 10 { lineStart += 1 }
    guard let firstEnd = lineEnd(bytes, from: lineStart),
      let kind = startLine(bytes, lineStart..<firstEnd.content)
    else { return false }
    fields = Fields(kind: kind)
    var sawCSeq = false
    var contentLength: Int?
    var position = firstEnd.next
    while position < bytes.count {
      guard let end = lineEnd(bytes, from: position) else { return false }
      if end.content == position {
        let bodyLength = bytes.count - end.next
        fields.hasBody = (contentLength ?? bodyLength) > 0 && bodyLength > 0
        return sawCSeq && !fields.callID.isEmpty
      }
      let line = position..<end.content
      position = end.next
      guard let (field, value) = header(bytes, line) else { continue }
      switch field {
      case .via:
        if fields.branch == nil { fields.branch = branch(bytes, value) }
      case .callID:
        fields.callID = value
      case .cseq:
        guard let (number, isPublish) = cseq(bytes, value), isPublish else { return false }
        fields.sequence = number
        sawCSeq = true
      case .event:
        fields.event = token(bytes, value)
      case .ifMatch:
        fields.ifMatch = value
      case .expires:
        fields.expires = deltaSeconds(bytes, value)
      case .minExpires:
        fields.minExpires = deltaSeconds(bytes, value)
      case .retryAfter:
        let digits = value.prefix { bytes[$0] >= 48 && bytes[$0] <= 57 }
        fields.retryAfter = deltaSeconds(bytes, digits)
      case .wwwAuthenticate:
        fields.wwwAuthenticate = value
      case .proxyAuthenticate:
        fields.proxyAuthenticate = value
      case .entityTag:
        fields.entityTag = value
      case .contentLength:
        contentLength = deltaSeconds(bytes, value).map(Int.init)
      }
    }
    return false
  }

  // MARK: Lines and fields

  private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (content: Int, next: Int)?
  {
    guard start < bytes.count, let newline = ByteSearch.first(10, in: bytes, start..<bytes.count) else {
      return nil
    }
    let content = newline > start && bytes[newline - 1] == 13 ? newline - 1 : newline
    return (content, newline + 1)
  }

  private static func startLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Fields.Kind? {
    let view = UnsafeRawBufferPointer(rebasing: bytes[line])
    if view.count >= 12,
      ByteSearch.equals(bytes, line.lowerBound..<(line.lowerBound + 8), "sip/2.0 ", ignoringCase: true)
    {
      let digits = view[8..<11]
      guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
      return .response(statusCode: digits.reduce(0) { $0 * 10 + Int($1 - 48) })
    }
    guard let firstSpace = view.firstIndex(of: 32), let lastSpace = view.lastIndex(of: 32),
      lastSpace > firstSpace
    else { return nil }
    let base = line.lowerBound
    return .request(method: base..<(base + firstSpace), uri: (base + firstSpace + 1)..<(base + lastSpace))
  }

  /// The field a header line carries (only the ones needed) and the range of its value.
  private static func header(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> (Field, Range<Int>)? {
    guard !line.isEmpty, mayName(bytes[line.lowerBound]), let colon = ByteSearch.first(58, in: bytes, line)
    else { return nil }
    var nameEnd = colon
    while nameEnd > line.lowerBound, bytes[nameEnd - 1] == 32 || bytes[nameEnd - 1] == 9 { nameEnd -= 1 }
    let name = UnsafeRawBufferPointer(rebasing: bytes[line.lowerBound..<nameEnd])
    guard let field = field(named: name) else { return nil }
    var valueStart = colon + 1
    var valueEnd = line.upperBound
    while valueStart < valueEnd, bytes[valueStart] == 32 || bytes[valueStart] == 9 { valueStart += 1 }
    while valueEnd > valueStart, bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9 { valueEnd -= 1 }
    return (field, valueStart..<valueEnd)
  }

  /// Whether a header name starting with `byte` can be one of the fields read (their first
  /// letters, in either case): From, To, User-Agent and the like are passed over before their
  /// colon is searched for.
  private static func mayName(_ byte: UInt8) -> Bool {
    switch byte | 0x20 {
    case UInt8(ascii: "c"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "m"),
      UInt8(ascii: "o"), UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "v"),
      UInt8(ascii: "w"):
      return true
    default: return false
    }
  }

  private static func field(named name: UnsafeRawBufferPointer) -> Field? {
    func equals(_ text: StaticString) -> Bool {
      ByteSearch.equals(name, 0..<name.count, text, ignoringCase: true)
    }
    switch name.count {
    case 1:
      switch name[0] | 0x20 {
      case UInt8(ascii: "v"): return .via
      case UInt8(ascii: "i"): return .callID
      case UInt8(ascii: "o"): return .event
      case UInt8(ascii: "l"): return .contentLength
      default: return nil
      }
    case 3: return equals("via") ? .via : nil
    case 4: return equals("cseq") ? .cseq : nil
    case 5: return equals("event") ? .event : nil
    case 7: return equals("call-id") ? .callID : (equals("expires") ? .expires : nil)
    case 8: return equals("sip-etag") ? .entityTag : nil
    case 11: return equals("min-expires") ? .minExpires : (equals("retry-after") ? .retryAfter : nil)
    case 12: return equals("sip-if-match") ? .ifMatch : nil
    case 14: return equals("content-length") ? .contentLength : nil
    case 16: return equals("www-authenticate") ? .wwwAuthenticate : nil
    case 18: return equals("proxy-authenticate") ? .proxyAuthenticate : nil
    default: return nil
    }
  }

  /// `delta-seconds`, values past 2^32-1 read as 2^32-1; nil unless digits only.
  private static func deltaSeconds(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt32? {
    guard !range.isEmpty else { return nil }
    var value: UInt64 = 0
    for index in range {
      let byte = bytes[index]
      guard byte >= 48 && byte <= 57 else { return nil }
      value = min(value * 10 + UInt64(byte - 48), UInt64(UInt32.max))
    }
    return UInt32(value)
  }

  /// The bytes in `range` as text.
  public static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  /// Text made lower case (ASCII), without a second copy when it already is.
  public static func lowercased(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    let view = UnsafeRawBufferPointer(rebasing: bytes[range])
    guard view.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return text(bytes, range) }
    return String(decoding: view.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
  }

  /// A header value's first token (up to `;` or a space).
  private static func token(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
    let end = bytes[range].firstIndex(where: { $0 == 59 || $0 == 32 }) ?? range.upperBound
    return range.lowerBound..<end
  }

  /// The `branch` parameter of the first Via value.
  private static func branch(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int>? {
    let end = ByteSearch.first(44, in: bytes, range) ?? range.upperBound
    let marker: StaticString = ";branch="
    let length = marker.utf8CodeUnitCount
    var index = range.lowerBound
    while let semicolon = ByteSearch.first(59, in: bytes, index..<end), semicolon + length <= end {
      let matches = marker.withUTF8Buffer { expected in
        (0..<length).allSatisfy { bytes[semicolon + $0] | 0x20 == expected[$0] | 0x20 }
      }
      if matches {
        let start = semicolon + length
        let stop = bytes[start..<end].firstIndex(where: { $0 == 59 || $0 == 32 }) ?? end
        return start..<stop
      }
      index = semicolon + 1
    }
    return nil
  }

  private static func cseq(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> (UInt32, Bool)? {
    var index = range.lowerBound
    var number: UInt64 = 0
    while index < range.upperBound, bytes[index] >= 48, bytes[index] <= 57, number <= UInt64(UInt32.max) {
      number = number * 10 + UInt64(bytes[index] - 48)
      index += 1
    }
    guard index > range.lowerBound, number <= UInt64(UInt32.max) else { return nil }
    while index < range.upperBound, bytes[index] == 32 || bytes[index] == 9 { index += 1 }
    return (UInt32(number), ByteSearch.equals(bytes, index..<range.upperBound, "PUBLISH"))
  }
}
