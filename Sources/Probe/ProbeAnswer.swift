import Foundation
import SIPCore

/// What came back for one request: its final response, or none in time. Checks read status and
/// the few headers RFC 3903 is about from here.
public struct ProbeAnswer: Sendable {
  public var response: SIPMessage?
  /// Seconds waited before giving up, for the "no answer" text.
  public var waitedSeconds: Double
  /// Whether the server closed the connection instead of answering (TCP, TLS).
  public var connectionClosed = false

  public init(response: SIPMessage?, waitedSeconds: Double) {
    self.response = response
    self.waitedSeconds = waitedSeconds
  }

  public var status: Int? { response?.statusCode }
  public var isSuccess: Bool { status.map { (200..<300).contains($0) } ?? false }

  public func header(_ name: SIPHeaderName) -> String? {
    response?.headers[name]?.trimmingSIPWhitespace()
  }

  public var entityTag: String? { header(.sipETag).flatMap { $0.isEmpty ? nil : $0 } }
  public var expires: UInt32? { header(.expires).flatMap { UInt32($0) } }
  public var minExpires: UInt32? { header(.minExpires).flatMap { UInt32($0) } }

  /// `200 OK, SIP-ETag a1, Expires 60` or `no answer in 4 s`: the observed column.
  public var text: String {
    guard let response, case .response(let code, let reason) = response.startLine else {
      return connectionClosed
        ? "connection closed without an answer" : "no answer in \(Self.seconds(waitedSeconds))"
    }
    var parts = ["\(code) \(reason)"]
    for name in [SIPHeaderName.sipETag, .expires, .minExpires, .allowEvents, .accept, .allow] {
      if let value = header(name) { parts.append("\(name.displayName) \(value)") }
    }
    return parts.joined(separator: ", ")
  }

  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
  }
}
