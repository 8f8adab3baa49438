import NIOCore
import Publication
import SIPCore
import Simulation
import Transport

/// Writes a publisher's PUBLISH straight into a buffer: the headers RFC 3261 requires, the
/// RFC 3903 ones for the operation, and the body for initial and modify.
struct RequestWriter {
  /// What stays the same for one publisher across its requests.
  struct Publisher {
    var aor: String
    var callID: String
    var fromTag: String
    var event: EventMix
    var username: String
    var password: String?
  }

  /// What changes per request.
  struct Outgoing {
    var request: PublisherStateMachine.Request
    var cseq: UInt32
    var branch: String
    var body: [UInt8]
    var authorization: (name: String, value: String)?
  }

  let transport: SIPTransportKind
  /// `host:port` of the sending socket, for Via.
  var sentBy: String

  func write(_ outgoing: Outgoing, for publisher: Publisher, into buffer: inout ByteBuffer) {
    buffer.writeStaticString("PUBLISH sip:")
    buffer.writeString(publisher.aor)
    buffer.writeStaticString(" SIP/2.0\r\nVia: SIP/2.0/")
    buffer.writeString(transport == .udp ? "UDP " : "TCP ")
    buffer.writeString(sentBy)
    buffer.writeStaticString(";branch=")
    buffer.writeString(outgoing.branch)
    buffer.writeStaticString(";rport\r\nMax-Forwards: 70\r\nFrom: <sip:")
    buffer.writeString(publisher.aor)
    buffer.writeStaticString(">;tag=")
    buffer.writeString(publisher.fromTag)
    buffer.writeStaticString("\r\nTo: <sip:")
    buffer.writeString(publisher.aor)
    buffer.writeStaticString(">\r\nCall-ID: ")
    buffer.writeString(publisher.callID)
    buffer.writeStaticString("\r\nCSeq: ")
    buffer.writeString(String(outgoing.cseq))
    buffer.writeStaticString(" PUBLISH\r\nEvent: ")
    buffer.writeString(publisher.event.package)
    buffer.writeStaticString("\r\nExpires: ")
    buffer.writeString(String(outgoing.request.expires))
    buffer.writeStaticString("\r\n")
    if let tag = outgoing.request.ifMatch {
      buffer.writeStaticString("SIP-If-Match: ")
      buffer.writeString(tag)
      buffer.writeStaticString("\r\n")
    }
    if let authorization = outgoing.authorization {
      buffer.writeString(authorization.name)
      buffer.writeStaticString(": ")
      buffer.writeString(authorization.value)
      buffer.writeStaticString("\r\n")
    }
    if !outgoing.body.isEmpty {
      buffer.writeStaticString("Content-Type: ")
      buffer.writeString(publisher.event.contentType)
      buffer.writeStaticString("\r\n")
    }
    buffer.writeStaticString("User-Agent: pubsim\r\nContent-Length: ")
    buffer.writeString(String(outgoing.body.count))
    buffer.writeStaticString("\r\n\r\n")
    buffer.writeBytes(outgoing.body)
  }
}
