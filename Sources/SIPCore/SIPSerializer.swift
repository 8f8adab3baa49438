import NIOCore

extension SIPMessage {
  /// The message as bytes on the wire. Content-Length is always written and always matches the
  /// body, whatever the headers said.
  public func serialized() -> [UInt8] {
    var buffer = ByteBufferAllocator().buffer(capacity: 512 + body.count)
    write(into: &buffer)
    return Array(buffer.readableBytesView)
  }

  /// Appends the message to `buffer`, so that a sender can reuse one buffer for many messages.
  public func write(into buffer: inout ByteBuffer) {
    switch startLine {
    case .request(let method, let uri):
      buffer.writeString(method.rawValue)
      buffer.writeStaticString(" ")
      buffer.writeString(uri)
      buffer.writeStaticString(" SIP/2.0\r\n")
    case .response(let code, let reason):
      buffer.writeStaticString("SIP/2.0 ")
      buffer.writeString(String(code))
      buffer.writeStaticString(" ")
      buffer.writeString(reason)
      buffer.writeStaticString("\r\n")
    }
    var wroteLength = false
    for field in headers {
      buffer.writeString(field.name.displayName)
      buffer.writeStaticString(": ")
      if field.name == .contentLength {
        if wroteLength { continue }
        buffer.writeString(String(body.count))
        wroteLength = true
      } else {
        buffer.writeString(field.value)
      }
      buffer.writeStaticString("\r\n")
    }
    if !wroteLength {
      buffer.writeStaticString("Content-Length: ")
      buffer.writeString(String(body.count))
      buffer.writeStaticString("\r\n")
    }
    buffer.writeStaticString("\r\n")
    buffer.writeBytes(body)
  }
}
