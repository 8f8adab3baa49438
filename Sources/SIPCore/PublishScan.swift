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
    case proxyAuthenticate
  }

  /// Reads a message; nil when it is not a PUBLISH request or response, or lacks what
  /// identifies a transaction.
  public static func scan(_ bytes: UnsafeRawBufferPointer) -> PublishScan? {
    var lineStart = 0
    while lineStart < bytes.count, bytes[lineStart] == 13 || bytes[lineStart] == 10 { lineStart += 1 }
    guard let firstEnd = lineEnd(bytes, from: lineStart),
      let kind = startLine(bytes, lineStart..<firstEnd.content)
    else { return nil }
    var scan = PublishScan(
      kind: kind, callID: "", sequence: 0, branch: "", event: nil, ifMatch: nil, expires: nil, entityTag: nil,
      minExpires: nil, wwwAuthenticate: nil, proxyAuthenticate: nil, hasBody: false)
    var sawCSeq = false
    var contentLength: Int?
    var position = firstEnd.next
    while position < bytes.count {
      guard let end = lineEnd(bytes, from: position) else { return nil }
      if end.content == position {
        let bodyLength = bytes.count - end.next
        scan.hasBody = (contentLength ?? bodyLength) > 0 && bodyLength > 0
        return sawCSeq && !scan.callID.isEmpty ? scan : nil
      }
      let line = position..<end.content
      position = end.next
      guard let (field, value) = header(bytes, line) else { continue }
      switch field {
      case .via:
        if scan.branch.isEmpty { scan.branch = branch(bytes, value) ?? "" }
      case .callID:
        scan.callID = text(bytes, value)
      case .cseq:
        guard let (number, isPublish) = cseq(bytes, value), isPublish else { return nil }
        scan.sequence = number
        sawCSeq = true
      case .event:
        scan.event = token(bytes, value)
      case .ifMatch:
        scan.ifMatch = text(bytes, value)
      case .expires:
        scan.expires = deltaSeconds(bytes, value)
      case .minExpires:
        scan.minExpires = deltaSeconds(bytes, value)
      case .wwwAuthenticate:
        scan.wwwAuthenticate = text(bytes, value)
      case .proxyAuthenticate:
        scan.proxyAuthenticate = text(bytes, value)
      case .entityTag:
        scan.entityTag = text(bytes, value)
      case .contentLength:
        contentLength = Int(text(bytes, value))
      }
    }
    return nil
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

  private static func startLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> Kind? {
    let view = UnsafeRawBufferPointer(rebasing: bytes[line])
    if view.count >= 12, view.prefix(8).elementsEqual("SIP/2.0 ".utf8, by: { $0 | 0x20 == $1 | 0x20 }) {
      let digits = view[8..<11]
      guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
      return .response(statusCode: digits.reduce(0) { $0 * 10 + Int($1 - 48) })
    }
    guard let firstSpace = view.firstIndex(of: 32), let lastSpace = view.lastIndex(of: 32),
      lastSpace > firstSpace
    else { return nil }
    return .request(
      method: String(decoding: view[..<firstSpace], as: UTF8.self),
      uri: String(decoding: view[(firstSpace + 1)..<lastSpace], as: UTF8.self))
  }

  /// The field a header line carries (only the ones needed) and the range of its value.
  private static func header(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) -> (Field, Range<Int>)? {
    guard let colon = ByteSearch.first(58, in: bytes, line) else { return nil }
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

  private static func field(named name: UnsafeRawBufferPointer) -> Field? {
    func equals(_ text: StaticString) -> Bool {
      guard name.count == text.utf8CodeUnitCount else { return false }
      return text.withUTF8Buffer { expected in zip(name, expected).allSatisfy { $0 | 0x20 == $1 } }
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
    case 11: return equals("min-expires") ? .minExpires : nil
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

  private static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  private static func token(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
    let end = bytes[range].firstIndex(where: { $0 == 59 || $0 == 32 }) ?? range.upperBound
    return text(bytes, range.lowerBound..<end).lowercased()
  }

  private static func branch(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
    let end = bytes[range].firstIndex(of: 44) ?? range.upperBound
    let marker = Array(";branch=".utf8)
    var index = range.lowerBound
    while index + marker.count <= end {
      if bytes[index] == 59,
        zip(bytes[index..<(index + marker.count)], marker).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
      {
        let start = index + marker.count
        let stop = bytes[start..<end].firstIndex(where: { $0 == 59 || $0 == 32 }) ?? end
        return text(bytes, start..<stop)
      }
      index += 1
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
    let method = UnsafeRawBufferPointer(rebasing: bytes[index..<range.upperBound])
    return (UInt32(number), method.elementsEqual("PUBLISH".utf8))
  }
}
