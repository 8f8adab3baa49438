import NIOCore
import SIPCore
import Transport

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
    let base = buffer.writerIndex - buffer.readerIndex
    var layout = Layout(statusLine: 0..<0, decisionLines: 0..<0)
    buffer.writeCursor(reserving: bound(decision, for: request, toTag: toTag)) { cursor in
      cursor.put("SIP/2.0 ")
      cursor.put(decimal: decision.statusCode)
      cursor.put(" ")
      cursor.put(decision.reason)
      cursor.put("\r\n")
      let statusEnd = base + cursor.count
      request.writeCopied(source: source, toTag: toTag, into: &cursor)
      let linesStart = base + cursor.count
      for field in decision.headers {
        cursor.put(field.name.displayName)
        cursor.put(": ")
        cursor.put(field.value)
        cursor.put("\r\n")
      }
      layout = Layout(statusLine: base..<statusEnd, decisionLines: linesStart..<base + cursor.count)
      cursor.put(trailer)
    }
    return layout
  }

  /// At least the bytes of the response ``write(_:for:source:toTag:into:)`` writes: what a
  /// buffer for it is made with, so that it is never grown.
  static func bound<Request: CompositorRequest>(
    _ decision: CompositorDecision, for request: Request, toTag: String
  ) -> Int {
    var bound = request.copiedBound(toTag: toTag) + decision.reason.utf8.count + trailerBound
    for field in decision.headers { bound += field.name.displayName.utf8.count + field.value.utf8.count + 4 }
    return bound
  }

  /// Writes a kept answer again for a retransmission of its request.
  static func write<Request: CompositorRequest>(
    _ answer: Answer, for request: Request, source: Source?, into buffer: inout ByteBuffer
  ) {
    let bound =
      answer.statusLine.count + request.copiedBound(toTag: answer.toTag) + answer.decisionLines.count
      + trailerBound
    buffer.writeCursor(reserving: bound) { cursor in
      cursor.put(answer.statusLine)
      request.writeCopied(source: source, toTag: answer.toTag, into: &cursor)
      cursor.put(answer.decisionLines)
      cursor.put(trailer)
    }
  }

  /// The lines every response ends with: who answered, and no body.
  private static let trailer: StaticString = "Server: pubsim\r\nContent-Length: 0\r\n\r\n"
  /// The trailer and the status line's code, spaces and line break.
  private static let trailerBound = 64

  /// Room for a stamped top Via line of `length` bytes of value. Stamping adds `;received=`
  /// with an address (up to an IPv6 one) and `;rport=` with a port, and replaces every
  /// `received` and `rport` already there: a value of nothing but `;received` pieces grows
  /// sixfold.
  static func stampedViaBound(length: Int) -> Int { length * 7 + 96 }

  /// The top Via line, with `received` (when the request came from another host than its
  /// sent-by, or asked for `rport`) and `rport`'s value (when asked for) filled in.
  static func writeVia(
    _ value: UnsafeBufferPointer<UInt8>, host: String, hasRPort: Bool, source: Source?,
    into cursor: inout ByteCursor
  ) {
    cursor.put("Via: ")
    if let source {
      Via.writeStamped(
        value, received: hasRPort || host != source.host ? source.host : nil,
        rport: hasRPort ? source.port : nil
      ) { cursor.put(UnsafeRawBufferPointer($0)) }
    } else {
      cursor.put(UnsafeRawBufferPointer(value))
    }
    cursor.put("\r\n")
  }

  /// A From, To (with the server's tag added when it has none), Call-ID or CSeq line.
  static func writeCopiedLine(
    _ name: CopiedName, _ value: UnsafeBufferPointer<UInt8>, toTag: String, into cursor: inout ByteCursor
  ) {
    cursor.put(name.displayName)
    cursor.put(": ")
    cursor.put(UnsafeRawBufferPointer(value))
    if name == .to, !NameAddress.hasTag(value) {
      cursor.put(";tag=")
      cursor.put(toTag)
    }
    cursor.put("\r\n")
  }

  /// Any other line a response copies (a Via after the first).
  static func writeHeader(_ name: StaticString, _ value: String, into cursor: inout ByteCursor) {
    cursor.put(name)
    cursor.put(": ")
    cursor.put(value)
    cursor.put("\r\n")
  }
}
