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
    let fault = outgoing.request.fault
    let body = fault == .missingBody ? [] : outgoing.body
    buffer.writeStaticString("PUBLISH sip:")
    writeAddress(publisher, into: &buffer)
    buffer.writeStaticString(" SIP/2.0\r\n")
    buffer.writeStaticString("Via: ")
    writeViaValue(outgoing.branch, into: &buffer)
    buffer.writeStaticString("Max-Forwards: 70\r\nFrom: <sip:")
    writeAddress(publisher, into: &buffer)
    buffer.writeStaticString(">;tag=p")
    buffer.writeString(String(publisher.number))
    buffer.writeStaticString("\r\nTo: <sip:")
    writeAddress(publisher, into: &buffer)
    buffer.writeStaticString(">\r\nCall-ID: pubsim-")
    buffer.writeString(publisher.runTag)
    buffer.writeStaticString("-")
    buffer.writeString(String(publisher.number))
    buffer.writeStaticString("\r\nCSeq: ")
    buffer.writeString(String(outgoing.cseq))
    buffer.writeStaticString(" PUBLISH\r\nEvent: ")
    buffer.writeString(fault == .unknownEvent ? "pubsim-unknown-package" : publisher.event)
    buffer.writeStaticString("\r\n")
    if outgoing.request.sendsExpires || fault == .shortExpires {
      buffer.writeStaticString("Expires: ")
      buffer.writeString(fault == .shortExpires ? "1" : String(outgoing.request.expires))
      buffer.writeStaticString("\r\n")
    }
    if let tag = outgoing.request.ifMatch {
      buffer.writeStaticString("SIP-If-Match: ")
      buffer.writeString(tag)
      // Never issued by the server: what a publisher holding a superseded tag sends.
      if fault == .staleEntityTag { buffer.writeStaticString("-stale") }
      buffer.writeStaticString("\r\n")
    }
    if let authorization = outgoing.authorization {
      buffer.writeString(authorization.name)
      buffer.writeStaticString(": ")
      buffer.writeString(authorization.value)
      buffer.writeStaticString("\r\n")
    }
    if !body.isEmpty {
      buffer.writeStaticString("Content-Type: ")
      buffer.writeString(
        fault == .unsupportedContentType ? "application/x-pubsim-unknown" : publisher.contentType)
      buffer.writeStaticString("\r\n")
    }
    buffer.writeStaticString("User-Agent: pubsim\r\nContent-Length: ")
    buffer.writeString(String(body.count))
    buffer.writeStaticString("\r\n\r\n")
    buffer.writeBytes(body)
  }

  /// pubsim's Via line: this socket's transport and address, the transaction's branch, rport.
  func writeVia(_ branch: BranchCode, lead: String, into buffer: inout ByteBuffer) {
    buffer.writeString(lead)
    writeViaValue(branch, into: &buffer)
  }

  func writeViaValue(_ branch: BranchCode, into buffer: inout ByteBuffer) {
    buffer.writeStaticString("SIP/2.0/")
    buffer.writeString(transport.viaName)
    buffer.writeString(sentBy)
    buffer.writeStaticString(";branch=")
    branch.write(into: &buffer)
    buffer.writeStaticString(";rport\r\n")
  }

  private func writeAddress(_ publisher: PublisherIdentity, into buffer: inout ByteBuffer) {
    buffer.writeString(publisher.user)
    buffer.writeStaticString("@")
    buffer.writeString(publisher.domain)
  }
}
