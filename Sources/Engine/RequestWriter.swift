import NIOCore
import Publication
import SIPCore
import Transport

/// Writes a publisher's PUBLISH straight into a buffer: the headers RFC 3261 requires, the
/// RFC 3903 ones for the operation, and the body for initial and modify; with an injected fault,
/// the one thing it breaks.
@_spi(Benchmarks) public struct RequestWriter {
  /// What changes per request.
  public struct Outgoing {
    var request: PublisherStateMachine.Request
    var cseq: UInt32
    var branch: BranchCode
    var body: [UInt8]
    var authorization: (name: String, value: String)?

    public init(
      request: PublisherStateMachine.Request, cseq: UInt32, branch: BranchCode, body: [UInt8],
      authorization: (name: String, value: String)? = nil
    ) {
      self.request = request
      self.cseq = cseq
      self.branch = branch
      self.body = body
      self.authorization = authorization
    }
  }

  let transport: SIPTransportKind
  /// `host:port` of the sending socket, for Via.
  var sentBy: String

  public init(transport: SIPTransportKind, sentBy: String) {
    self.transport = transport
    self.sentBy = sentBy
  }

  public func write(_ outgoing: Outgoing, for publisher: PublisherIdentity, into buffer: inout ByteBuffer) {
    buffer.writeCursor(reserving: bound(outgoing, publisher)) { write(outgoing, for: publisher, into: &$0) }
  }

  /// At least the bytes ``write(_:for:into:)`` writes: its fixed text, every variable part at its
  /// longest, and the faults' replacements.
  private func bound(_ outgoing: Outgoing, _ publisher: PublisherIdentity) -> Int {
    let address = publisher.user.utf8.count + 1 + publisher.domain.utf8.count
    var parts = 3 * address + publisher.runTag.utf8.count + publisher.event.utf8.count
    parts += sentBy.utf8.count + publisher.contentType.utf8.count + outgoing.body.count
    parts += outgoing.request.ifMatch?.utf8.count ?? 0
    if let authorization = outgoing.authorization {
      parts += authorization.name.utf8.count + authorization.value.utf8.count
    }
    return parts + 512
  }

  private func write(_ outgoing: Outgoing, for publisher: PublisherIdentity, into cursor: inout ByteCursor) {
    let fault = outgoing.request.fault
    let body = fault == .missingBody ? [] : outgoing.body
    cursor.put("PUBLISH sip:")
    writeAddress(publisher, into: &cursor)
    cursor.put(" SIP/2.0\r\nVia: ")
    writeViaValue(outgoing.branch, into: &cursor)
    cursor.put("Max-Forwards: 70\r\nFrom: <sip:")
    writeAddress(publisher, into: &cursor)
    cursor.put(">;tag=p")
    cursor.put(decimal: publisher.number)
    cursor.put("\r\nTo: <sip:")
    writeAddress(publisher, into: &cursor)
    cursor.put(">\r\nCall-ID: pubsim-")
    cursor.put(publisher.runTag)
    cursor.put(UInt8(ascii: "-"))
    cursor.put(decimal: publisher.number)
    cursor.put("\r\nCSeq: ")
    cursor.put(decimal: UInt64(outgoing.cseq))
    cursor.put(" PUBLISH\r\nEvent: ")
    if fault == .unknownEvent { cursor.put("pubsim-unknown-package") } else { cursor.put(publisher.event) }
    cursor.put("\r\n")
    if outgoing.request.sendsExpires || fault == .shortExpires {
      cursor.put("Expires: ")
      cursor.put(decimal: fault == .shortExpires ? 1 : UInt64(outgoing.request.expires))
      cursor.put("\r\n")
    }
    if let tag = outgoing.request.ifMatch {
      cursor.put("SIP-If-Match: ")
      cursor.put(tag)
      // Never issued by the server: what a publisher holding a superseded tag sends.
      if fault == .staleEntityTag { cursor.put("-stale") }
      cursor.put("\r\n")
    }
    if let authorization = outgoing.authorization {
      cursor.put(authorization.name)
      cursor.put(": ")
      cursor.put(authorization.value)
      cursor.put("\r\n")
    }
    if !body.isEmpty {
      cursor.put("Content-Type: ")
      if fault == .unsupportedContentType {
        cursor.put("application/x-pubsim-unknown")
      } else {
        cursor.put(publisher.contentType)
      }
      cursor.put("\r\n")
    }
    cursor.put("User-Agent: pubsim\r\nContent-Length: ")
    cursor.put(decimal: body.count)
    cursor.put("\r\n\r\n")
    cursor.put(body)
  }

  /// pubsim's Via line: this socket's transport and address, the transaction's branch, rport.
  func writeVia(_ branch: BranchCode, lead: String, into buffer: inout ByteBuffer) {
    let bound = lead.utf8.count + transport.viaName.utf8.count + sentBy.utf8.count + 128
    buffer.writeCursor(reserving: bound) { cursor in
      cursor.put(lead)
      writeViaValue(branch, into: &cursor)
    }
  }

  private func writeViaValue(_ branch: BranchCode, into cursor: inout ByteCursor) {
    cursor.put("SIP/2.0/")
    cursor.put(transport.viaName)
    cursor.put(sentBy)
    cursor.put(";branch=")
    branch.write(into: &cursor)
    cursor.put(";rport\r\n")
  }

  private func writeAddress(_ publisher: PublisherIdentity, into cursor: inout ByteCursor) {
    cursor.put(publisher.user)
    cursor.put(UInt8(ascii: "@"))
    cursor.put(publisher.domain)
  }
}
