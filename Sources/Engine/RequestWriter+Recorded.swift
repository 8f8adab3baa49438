import NIOCore
import Publication
import SIPCore

extension RequestWriter {
  /// Writes a request in its recorded form (see ``RequestForm``): the recorded lines in their
  /// order and spelling, with the live Via, addresses, dialog, CSeq, entity-tag, Expires,
  /// credentials and Content-Length where the recording had them; a live value the recording
  /// had no line for is added after the recorded lines.
  func write(
    _ outgoing: Outgoing, recorded: RecordedRequest, for publisher: PublisherIdentity,
    into buffer: inout ByteBuffer
  ) {
    let form = recorded.form
    let request = outgoing.request
    buffer.writeStaticString("PUBLISH ")
    buffer.writeString(recorded.requestURI(user: publisher.user, domain: publisher.domain))
    buffer.writeStaticString(" SIP/2.0\r\n")
    if !form.has.via { writeVia(outgoing.branch, lead: "Via: ", into: &buffer) }
    for line in form.lines {
      write(line, outgoing, recorded: recorded, for: publisher, into: &buffer)
    }
    if let tag = request.ifMatch, !form.has.ifMatch { writeLine("SIP-If-Match: ", tag, into: &buffer) }
    if request.sendsExpires && !form.has.expires {
      writeLine("Expires: ", String(request.expires), into: &buffer)
    }
    if let authorization = outgoing.authorization, !form.has.authorization {
      writeLine(authorization.name + ": ", authorization.value, into: &buffer)
    }
    // Over UDP the datagram bounds the body; a stream needs the length (RFC 3261 §18.3).
    if !form.has.contentLength && transport != .udp {
      writeLine("Content-Length: ", String(outgoing.body.count), into: &buffer)
    }
    buffer.writeStaticString("\r\n")
    buffer.writeBytes(outgoing.body)
  }

  private func write(
    _ line: RequestForm.Line, _ outgoing: Outgoing, recorded: RecordedRequest,
    for publisher: PublisherIdentity, into buffer: inout ByteBuffer
  ) {
    let request = outgoing.request
    switch line {
    case .verbatim(let text):
      buffer.writeString(text)
      buffer.writeStaticString("\r\n")
    case .via(let lead): writeVia(outgoing.branch, lead: lead, into: &buffer)
    case .address(let lead, let address):
      writeLine(
        lead, address.text(user: publisher.user, domain: publisher.domain, dialog: recorded.dialog),
        into: &buffer)
    case .callID(let lead, let callID): writeLine(lead, callID + "-" + recorded.dialog, into: &buffer)
    case .cseq(let lead, let method): writeLine(lead, String(outgoing.cseq) + method, into: &buffer)
    case .ifMatch(let lead):
      if let tag = request.ifMatch { writeLine(lead, tag, into: &buffer) }
    case .expires(let lead):
      if request.sendsExpires { writeLine(lead, String(request.expires), into: &buffer) }
    case .contentLength(let lead): writeLine(lead, String(outgoing.body.count), into: &buffer)
    case .authorization:
      if let authorization = outgoing.authorization {
        writeLine(authorization.name + ": ", authorization.value, into: &buffer)
      }
    }
  }

  private func writeLine(_ lead: String, _ value: String, into buffer: inout ByteBuffer) {
    buffer.writeString(lead)
    buffer.writeString(value)
    buffer.writeStaticString("\r\n")
  }
}
