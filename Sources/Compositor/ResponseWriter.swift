import NIOCore
import SIPCore

/// Writes a compositor's response straight into a buffer, copying what RFC 3261 §8.2.6 says a
/// response copies from its request (Via, From, To, Call-ID, CSeq) and stamping the top Via with
/// `received` and `rport` (RFC 3581) so that the response finds its way back.
enum ResponseWriter {
  /// Where the request came from, for `received`/`rport`.
  struct Source {
    var host: String
    var port: Int
  }

  /// Where the parts of a written response that its request does not supply lie, as offsets
  /// into the buffer's readable bytes: the status line, and the decision's header lines.
  struct Layout {
    var statusLine: Range<Int>
    var decisionLines: Range<Int>
  }

  /// What a response adds to its request: its status line, the decision's header lines and the
  /// To tag it gave. With a retransmission of the same request, enough to write the response
  /// again byte for byte; the transaction cache keeps this much.
  struct Answer {
    var statusLine: [UInt8]
    var decisionLines: [UInt8]
    var toTag: String
  }

  @discardableResult
  static func write(
    _ decision: CompositorDecision, for request: SIPMessage, topVia: Via?, source: Source?, toTag: String,
    into buffer: inout ByteBuffer
  ) -> Layout {
    let start = buffer.readerIndex
    let base = buffer.writerIndex - start
    buffer.writeStaticString("SIP/2.0 ")
    buffer.writeString(String(decision.statusCode))
    buffer.writeStaticString(" ")
    buffer.writeString(decision.reason)
    buffer.writeStaticString("\r\n")
    let statusEnd = buffer.writerIndex - start
    writeCopied(from: request, topVia: topVia, source: source, toTag: toTag, into: &buffer)
    let linesStart = buffer.writerIndex - start
    for field in decision.headers {
      writeHeader(field.name.displayName, field.value, into: &buffer)
    }
    let linesEnd = buffer.writerIndex - start
    writeTrailer(into: &buffer)
    return Layout(statusLine: base..<statusEnd, decisionLines: linesStart..<linesEnd)
  }

  /// Writes a kept answer again for a retransmission of its request.
  static func write(
    _ answer: Answer, for request: SIPMessage, topVia: Via?, source: Source?, into buffer: inout ByteBuffer
  ) {
    buffer.writeBytes(answer.statusLine)
    writeCopied(from: request, topVia: topVia, source: source, toTag: answer.toTag, into: &buffer)
    buffer.writeBytes(answer.decisionLines)
    writeTrailer(into: &buffer)
  }

  /// The lines a response copies from its request (RFC 3261 §8.2.6).
  private static func writeCopied(
    from request: SIPMessage, topVia: Via?, source: Source?, toTag: String, into buffer: inout ByteBuffer
  ) {
    for (index, value) in request.headers.values(.via).enumerated() {
      writeHeader(
        "Via", index == 0 ? stampedVia(topVia, original: value, source: source) : value, into: &buffer)
    }
    for field in request.headers {
      switch field.name {
      case .from: writeHeader("From", field.value, into: &buffer)
      case .to: writeHeader("To", taggedTo(field.value, toTag: toTag), into: &buffer)
      case .callID: writeHeader("Call-ID", field.value, into: &buffer)
      case .cseq: writeHeader("CSeq", field.value, into: &buffer)
      default: break
      }
    }
  }

  /// The lines every response ends with: who answered, and no body.
  private static func writeTrailer(into buffer: inout ByteBuffer) {
    buffer.writeStaticString("Server: pubsim\r\nContent-Length: 0\r\n\r\n")
  }

  private static func writeHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
    buffer.writeString(name)
    buffer.writeStaticString(": ")
    buffer.writeString(value)
    buffer.writeStaticString("\r\n")
  }

  /// The top Via with `received` (when the request came from another host than its sent-by, or
  /// asked for `rport`) and `rport`'s value (when asked for) filled in.
  static func stampedVia(_ parsed: Via?, original: String, source: Source?) -> String {
    guard let source, let via = parsed else { return original }
    let wantsPort = via.hasRPort
    return Via.stamped(
      original, received: wantsPort || via.host != source.host ? source.host : nil,
      rport: wantsPort ? source.port : nil)
  }

  static func taggedTo(_ value: String, toTag: String) -> String {
    if NameAddress.hasTag(value) { return value }
    return value + ";tag=" + toTag
  }
}
