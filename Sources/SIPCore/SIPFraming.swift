/// How message boundaries are known. On a datagram transport the datagram is the message and
/// Content-Length may be absent; on a stream (TCP, TLS) Content-Length is the only boundary and
/// is required (RFC 3261 §18.3).
public enum SIPFraming: Sendable {
  case datagram
  case stream
}
