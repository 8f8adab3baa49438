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

  /// The header lines a response copies after its Vias.
  enum CopiedName: UInt8 {
    case from, to, callID, cseq

    init?(_ name: SIPHeaderName) {
      switch name {
      case .from: self = .from
      case .to: self = .to
      case .callID: self = .callID
      case .cseq: self = .cseq
      default: return nil
      }
    }

    init?(_ field: InPlacePublish.Field) {
      switch field {
      case .from: self = .from
      case .to: self = .to
      case .callID: self = .callID
      case .cseq: self = .cseq
      default: return nil
      }
    }

    var field: InPlacePublish.Field {
      switch self {
      case .from: .from
      case .to: .to
      case .callID: .callID
      case .cseq: .cseq
      }
    }

    var displayName: StaticString {
      switch self {
      case .from: "From"
      case .to: "To"
      case .callID: "Call-ID"
      case .cseq: "CSeq"
      }
    }
  }

  @discardableResult
  static func write<Request: CompositorRequest>(
    _ decision: CompositorDecision, for request: Request, source: Source?, toTag: String,
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
    request.writeCopied(source: source, toTag: toTag, into: &buffer)
    let linesStart = buffer.writerIndex - start
    for field in decision.headers {
      writeHeader(field.name.displayName, field.value, into: &buffer)
    }
    let linesEnd = buffer.writerIndex - start
    writeTrailer(into: &buffer)
    return Layout(statusLine: base..<statusEnd, decisionLines: linesStart..<linesEnd)
  }

  /// Writes a kept answer again for a retransmission of its request.
  static func write<Request: CompositorRequest>(
    _ answer: Answer, for request: Request, source: Source?, into buffer: inout ByteBuffer
  ) {
    buffer.writeBytes(answer.statusLine)
    request.writeCopied(source: source, toTag: answer.toTag, into: &buffer)
    buffer.writeBytes(answer.decisionLines)
    writeTrailer(into: &buffer)
  }

  /// The top Via line, with `received` (when the request came from another host than its
  /// sent-by, or asked for `rport`) and `rport`'s value (when asked for) filled in.
  static func writeVia(
    _ value: UnsafeBufferPointer<UInt8>, host: String, hasRPort: Bool, source: Source?,
    into buffer: inout ByteBuffer
  ) {
    buffer.writeStaticString("Via: ")
    if let source {
      Via.writeStamped(
        value, received: hasRPort || host != source.host ? source.host : nil,
        rport: hasRPort ? source.port : nil
      ) { buffer.writeBytes($0) }
    } else {
      buffer.writeBytes(value)
    }
    buffer.writeStaticString("\r\n")
  }

  /// A From, To (with the server's tag added when it has none), Call-ID or CSeq line.
  static func writeCopiedLine(
    _ name: CopiedName, _ value: UnsafeBufferPointer<UInt8>, toTag: String, into buffer: inout ByteBuffer
  ) {
    buffer.writeStaticString(name.displayName)
    buffer.writeStaticString(": ")
    buffer.writeBytes(value)
    if name == .to, !NameAddress.hasTag(value) {
      buffer.writeStaticString(";tag=")
      buffer.writeString(toTag)
    }
    buffer.writeStaticString("\r\n")
  }

  /// The lines every response ends with: who answered, and no body.
  private static func writeTrailer(into buffer: inout ByteBuffer) {
    buffer.writeStaticString("Server: pubsim\r\nContent-Length: 0\r\n\r\n")
  }

  static func writeHeader(_ name: String, _ value: String, into buffer: inout ByteBuffer) {
    buffer.writeString(name)
    buffer.writeStaticString(": ")
    buffer.writeString(value)
    buffer.writeStaticString("\r\n")
  }
}
