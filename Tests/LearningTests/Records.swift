import Publication
import Trace

/// Trace records written by hand: a script of publishers' requests and the answers they got.
enum Records {
  static let second: UInt64 = 1_000_000_000

  /// One transaction at `at` seconds.
  static func record(
    _ at: Double, chain: Int, _ operation: PublishOperation, user: String = "alice",
    event: String = "presence",
    expires: UInt32? = 600, status: Int? = 200, granted: UInt32? = nil, body: String? = nil,
    source: String = "10.0.0.1:5060/udp"
  ) -> TraceRecord {
    TraceRecord(
      offsetNanos: UInt64(at * 1e9), chain: chain, operation: operation, event: event,
      requestURI: "sip:\(user)@example.com", resource: "\(user)@example.com", from: nil, to: nil,
      expires: operation == .remove ? 0 : expires, ifMatch: nil,
      contentType: body == nil ? nil : "application/pidf+xml", body: body,
      bodyEncoding: body == nil ? nil : "utf8",
      source: source, destination: "10.0.0.2:5060/udp", retransmissions: 0,
      recorded: TraceRecord.Recorded(
        status: status, latencyMicros: status == nil ? nil : 1_000, entityTag: nil,
        expires: status == 200 ? (operation == .remove ? 0 : granted ?? expires) : nil))
  }

  static func pidf(_ user: String, _ status: String, _ note: String) -> String {
    "<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:\(user)@example.com\">"
      + "<tuple id=\"t1\"><status><basic>\(status)</basic></status><note>\(note)</note></tuple></presence>"
  }
}
