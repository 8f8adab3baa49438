import NIOCore
import NIOPosix

#if canImport(Glibc)
  import Glibc
#endif

/// Why the engine could not open its sockets or connections to the target: one line.
public struct ConnectError: Error, CustomStringConvertible {
  public var description: String

  /// The system's words for why a connection failed ("connection refused"), rather than
  /// SwiftNIO's wrapped description of it.
  static func reason(_ error: Error) -> String {
    if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
    if let connect = error as? NIOConnectionError, let first = connect.connectionErrors.first {
      return reason(first.error)
    }
    return "\(error)"
  }
}
