import Foundation
import Publication

/// One recorded PUBLISH transaction in a trace: when it was sent (relative to the trace's
/// start), what it did, the headers and body needed to send it again, and what the recorded
/// server answered. A trace is JSON Lines: a ``TraceHeader`` line, then one record per line in
/// time order.
public struct TraceRecord: Codable, Sendable, Equatable {
  public struct Recorded: Codable, Sendable, Equatable {
    /// Final status code; nil when the capture holds no final response.
    public var status: Int?
    public var latencyMicros: UInt64?
    /// The SIP-ETag and Expires of a 2xx.
    public var entityTag: String?
    public var expires: UInt32?

    public init(status: Int?, latencyMicros: UInt64?, entityTag: String?, expires: UInt32?) {
      self.status = status
      self.latencyMicros = latencyMicros
      self.entityTag = entityTag
      self.expires = expires
    }
  }

  /// Nanoseconds after the first transaction of the trace.
  public var offsetNanos: UInt64
  /// Publication life (entity-tag chain) this transaction belongs to.
  public var chain: Int
  public var operation: PublishOperation?
  public var event: String?
  /// Request-URI as recorded, and the address-of-record it names.
  public var requestURI: String
  public var resource: String
  public var from: String?
  public var to: String?
  public var expires: UInt32?
  public var ifMatch: String?
  public var contentType: String?
  /// The request's header lines as written (names in their recorded spelling, in order,
  /// folded lines joined): what replay sends again, rewriting only what must change. nil in
  /// traces written before pubsim kept them (replayed in pubsim's own form).
  public var headers: [String]?
  /// The body: UTF-8 text as is, anything else base64 (see ``bodyEncoding``).
  public var body: String?
  public var bodyEncoding: String?
  public var source: String
  public var destination: String
  public var retransmissions: Int
  public var recorded: Recorded

  public init(
    offsetNanos: UInt64, chain: Int, operation: PublishOperation?, event: String?, requestURI: String,
    resource: String, from: String?, to: String?, expires: UInt32?, ifMatch: String?, contentType: String?,
    body: String?, bodyEncoding: String?, source: String, destination: String, retransmissions: Int,
    recorded: Recorded, headers: [String]? = nil
  ) {
    self.headers = headers
    self.offsetNanos = offsetNanos
    self.chain = chain
    self.operation = operation
    self.event = event
    self.requestURI = requestURI
    self.resource = resource
    self.from = from
    self.to = to
    self.expires = expires
    self.ifMatch = ifMatch
    self.contentType = contentType
    self.body = body
    self.bodyEncoding = bodyEncoding
    self.source = source
    self.destination = destination
    self.retransmissions = retransmissions
    self.recorded = recorded
  }

  /// Longest span a trace may cover, and longest recorded latency: a year, and an hour.
  static let maximumOffset: UInt64 = 366 * 86_400 * 1_000_000_000
  static let maximumLatencyMicros: UInt64 = 3_600_000_000

  /// Why the record cannot be from a real capture (a hand-edited or damaged trace), or nil.
  var implausibility: String? {
    if offsetNanos > Self.maximumOffset { return "offsetNanos \(offsetNanos) is beyond a year" }
    if let latency = recorded.latencyMicros, latency > Self.maximumLatencyMicros {
      return "recorded latencyMicros \(latency) is beyond an hour"
    }
    if let status = recorded.status, !(100...699).contains(status) {
      return "recorded status \(status) is not a SIP status"
    }
    return nil
  }

  /// The body's bytes.
  public var bodyBytes: [UInt8] {
    guard let body else { return [] }
    if bodyEncoding == "base64" { return Data(base64Encoded: body).map { [UInt8]($0) } ?? [] }
    return Array(body.utf8)
  }
}
