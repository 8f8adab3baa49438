/// Why a sequence of bytes is not an acceptable SIP message, and where the problem is.
///
/// `line` is 1-based within the message; `offset` is the byte offset from the start of the input
/// handed to the parser. The description is one line a user can act on.
public struct SIPParseError: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Kind: Equatable, Sendable {
    /// Nothing but whitespace or line breaks.
    case empty
    /// The message (or the bytes buffered for it on a stream) exceeds ``SIPLimits/maxMessageSize``.
    case messageTooLarge(size: Int, limit: Int)
    /// A line exceeds ``SIPLimits/maxLineLength``.
    case lineTooLong(limit: Int)
    /// More header fields than ``SIPLimits/maxHeaderCount``.
    case tooManyHeaders(limit: Int)
    /// The first line is neither `METHOD URI SIP/2.0` nor `SIP/2.0 CODE REASON`.
    case malformedStartLine(String)
    /// A status code outside 100...699.
    case invalidStatusCode(String)
    /// A header line without a colon or with an invalid name.
    case malformedHeader(String)
    /// A continuation line before the first header.
    case unexpectedContinuation
    /// The header section does not end with an empty line.
    case unterminatedHeaders
    /// A stream transport needs Content-Length to find where a message ends.
    case missingContentLength
    /// Content-Length is not a non-negative integer within the size limit.
    case invalidContentLength(String)
    /// Several Content-Length headers that disagree.
    case conflictingContentLength
    /// The body is shorter than Content-Length says.
    case truncatedBody(expected: Int, available: Int)
    /// A byte that cannot appear in a SIP header section (NUL or other control byte).
    case binaryData(UInt8)
  }

  public var kind: Kind
  /// 1-based line number within the message, 0 when not tied to a line.
  public var line: Int
  /// Byte offset from the start of the parser's input.
  public var offset: Int

  public init(_ kind: Kind, line: Int, offset: Int) {
    self.kind = kind
    self.line = line
    self.offset = offset
  }

  public var description: String {
    let place = line > 0 ? "line \(line), byte \(offset)" : "byte \(offset)"
    return "\(place): \(problem)"
  }

  private var problem: String {
    switch kind {
    case .empty: return "empty message"
    case .messageTooLarge(let size, let limit):
      return "message of \(size) bytes exceeds the limit of \(limit) bytes"
    case .lineTooLong(let limit): return "line longer than \(limit) bytes"
    case .tooManyHeaders(let limit): return "more than \(limit) header fields"
    case .malformedStartLine(let text): return "malformed start line \(text)"
    case .invalidStatusCode(let text): return "invalid status code \(text)"
    case .malformedHeader(let text): return "malformed header line \(text)"
    case .unexpectedContinuation: return "folded continuation line before any header"
    case .unterminatedHeaders: return "header section is not terminated by an empty line (missing CRLF)"
    case .missingContentLength: return "no Content-Length header, which a stream transport requires"
    case .invalidContentLength(let text):
      return "Content-Length \(text) is not a non-negative integer within the size limit"
    case .conflictingContentLength: return "several Content-Length headers with different values"
    case .truncatedBody(let expected, let available):
      return "body truncated: Content-Length says \(expected) bytes, \(available) present"
    case .binaryData(let byte): return "binary byte 0x\(String(byte, radix: 16)) in the header section"
    }
  }

  /// A short, printable excerpt of raw bytes for error messages: quoted, control bytes escaped,
  /// at most `limit` characters.
  static func excerpt(_ bytes: UnsafeRawBufferPointer, limit: Int = 40) -> String {
    var text = "'"
    for byte in bytes.prefix(limit) {
      switch byte {
      case 0x20..<0x7F where byte != UInt8(ascii: "'"): text.unicodeScalars.append(Unicode.Scalar(byte))
      default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
      }
    }
    return text + (bytes.count > limit ? "...'" : "'")
  }
}
