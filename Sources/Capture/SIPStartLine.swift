import SIPCore

/// Recognises the start of a SIP message by its content, on any port: a status line
/// (`SIP/2.0 200 ...`) or a request line (`METHOD sip:... SIP/2.0`).
public enum SIPStartLine {
  /// Whether `bytes` begin with a SIP start line (leading CR/LF keep-alives are skipped).
  public static func begins(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var start = 0
    while start < bytes.count, bytes[start] == 13 || bytes[start] == 10 { start += 1 }
    return lineLength(bytes, at: start) != nil
  }

  /// The offset of the next SIP start line at or after `from`, or nil. On a stream a message
  /// follows the previous body directly, so a start line need not begin a line.
  public static func next(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    var index = from
    while index < bytes.count {
      let byte = bytes[index]
      if byte >= 65 && byte <= 90, lineLength(bytes, at: index) != nil { return index }
      index += 1
    }
    return nil
  }

  /// The length of a SIP start line at `start`, or nil if there is none there.
  static func lineLength(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
    let limit = min(bytes.count, start + 1024)
    guard let end = ByteSearch.first(10, in: bytes, start..<limit) else { return nil }
    let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    if line.count > 12, ByteSearch.equals(line, 0..<8, "sip/2.0 ", ignoringCase: true),
      line[8...10].allSatisfy({ $0 >= 48 && $0 <= 57 })
    {
      return end - start
    }
    let length = line.last == 13 ? line.count - 1 : line.count
    guard length > 12, ByteSearch.equals(line, (length - 8)..<length, " sip/2.0", ignoringCase: true),
      let space = ByteSearch.first(32, in: line, 0..<length), space > 0,
      line[..<space].allSatisfy({ ($0 >= 65 && $0 <= 90) || $0 == 45 }),
      length > space + 5
    else { return nil }
    let scheme = space + 1
    let isSIPURI =
      ByteSearch.equals(line, scheme..<(scheme + 4), "sip:", ignoringCase: true)
      || ByteSearch.equals(line, scheme..<(scheme + 5), "sips:", ignoringCase: true)
      || ByteSearch.equals(line, scheme..<(scheme + 4), "tel:", ignoringCase: true)
    return isSIPURI ? end - start : nil
  }
}
