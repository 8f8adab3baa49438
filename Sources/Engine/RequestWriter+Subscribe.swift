import NIOCore
import Publication

extension RequestWriter {
  /// Writes a watcher's SUBSCRIBE (RFC 6665 §4.1, RFC 3856): in a new dialog or in its dialog
  /// (the To tag and the notifier's Contact as Request-URI), with this socket as Contact, so the
  /// NOTIFYs come back to the socket the shard reads.
  func writeSubscribe(
    _ request: WatcherStateMachine.Request, _ outgoing: SubscribeOutgoing, branch: BranchCode,
    into buffer: inout ByteBuffer
  ) {
    buffer.writeStaticString("SUBSCRIBE ")
    buffer.writeString(request.remoteTarget ?? outgoing.requestURI)
    buffer.writeStaticString(" SIP/2.0\r\n")
    writeVia(branch, lead: "Via: ", into: &buffer)
    buffer.writeStaticString("Max-Forwards: 70\r\nFrom: <")
    buffer.writeString(outgoing.watcher)
    buffer.writeStaticString(">;tag=")
    buffer.writeString(outgoing.fromTag)
    buffer.writeStaticString("\r\nTo: <")
    buffer.writeString(outgoing.presentity)
    buffer.writeStaticString(">")
    if let toTag = request.toTag {
      buffer.writeStaticString(";tag=")
      buffer.writeString(toTag)
    }
    buffer.writeStaticString("\r\nCall-ID: ")
    buffer.writeString(outgoing.callID)
    buffer.writeStaticString("\r\nCSeq: ")
    buffer.writeString(String(request.cseq))
    buffer.writeStaticString(" SUBSCRIBE\r\nContact: <sip:pubsim@")
    buffer.writeString(sentBy)
    if transport != .udp {
      buffer.writeStaticString(";transport=")
      buffer.writeString(transport.rawValue)
    }
    buffer.writeStaticString(">\r\nEvent: ")
    buffer.writeString(outgoing.event)
    buffer.writeStaticString("\r\nAccept: ")
    buffer.writeString(outgoing.accept)
    buffer.writeStaticString("\r\nExpires: ")
    buffer.writeString(String(request.expires))
    buffer.writeStaticString("\r\nUser-Agent: pubsim\r\nContent-Length: 0\r\n\r\n")
  }
}
