import Foundation
import Publication
import SIPCore

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
    recorded: Recorded
  ) {
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

/// The first line of a trace: what it is, its format version, and where it came from. Readers
/// refuse versions newer than they know.
public struct TraceHeader: Codable, Sendable, Equatable {
  public static let currentVersion = 1
  public var format = "pubsim-trace"
  public var version = TraceHeader.currentVersion
  public var captures: [String]
  /// Wall-clock time of the first transaction, nanoseconds since 1970.
  public var startedAtNanos: UInt64
  public var transactions: Int
}

/// Writes and reads traces.
public enum Trace {
  public struct FormatError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
  }

  /// The trace of a capture's PUBLISH transactions, as JSON Lines.
  public static func encode(_ tracker: PublishTracker, captures: [String]) throws -> Data {
    let (header, records) = trace(of: tracker, captures: captures)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(header)
    data.append(10)
    for record in records {
      data.append(try encoder.encode(record))
      data.append(10)
    }
    return data
  }

  /// A capture's PUBLISH transactions as trace records, in time order (what replay reads
  /// straight from a capture, without a trace file in between).
  public static func trace(of tracker: PublishTracker, captures: [String]) -> (TraceHeader, [TraceRecord]) {
    let transactions = tracker.transactions.sorted { $0.firstSeen < $1.firstSeen }
    let start = transactions.first?.firstSeen ?? 0
    return (
      TraceHeader(captures: captures, startedAtNanos: start, transactions: transactions.count),
      transactions.map { record($0, event: tracker.event(of: $0), start: start) }
    )
  }

  static func record(_ transaction: PublishTracker.Transaction, event: String?, start: UInt64) -> TraceRecord
  {
    let message = transaction.request
    let requestURI = message?.requestURI ?? ""
    let body = message?.body ?? []
    let text = String(validatingUTF8: body.map { CChar(bitPattern: $0) } + [0])
    return TraceRecord(
      offsetNanos: transaction.firstSeen - start, chain: Int(transaction.chain),
      operation: transaction.operation,
      event: event, requestURI: requestURI, resource: SIPURI(requestURI)?.addressOfRecord ?? requestURI,
      from: message?.headers[.from], to: message?.headers[.to],
      expires: message?.headers[.expires].flatMap(PublishRequest.deltaSeconds),
      ifMatch: message?.headers[.sipIfMatch],
      contentType: body.isEmpty ? nil : message?.headers[.contentType],
      body: body.isEmpty ? nil : (text ?? Data(body).base64EncodedString()),
      bodyEncoding: body.isEmpty ? nil : (text == nil ? "base64" : "utf8"),
      source: transaction.source.description, destination: transaction.destination.description,
      retransmissions: Int(transaction.retransmissions),
      recorded: TraceRecord.Recorded(
        status: transaction.finalStatus, latencyMicros: transaction.latency.map { $0 / 1_000 },
        entityTag: transaction.issuedTag, expires: transaction.grantedExpires))
  }

  /// Reads a trace; a newer format version or a damaged line is a ``FormatError`` naming the line.
  public static func decode(_ data: Data, file: String) throws(FormatError) -> (TraceHeader, [TraceRecord]) {
    let lines = data.split(separator: 10, omittingEmptySubsequences: true)
    guard let first = lines.first,
      let header = try? JSONDecoder().decode(TraceHeader.self, from: Data(first)),
      header.format == "pubsim-trace"
    else { throw FormatError(file: file, message: "not a pubsim trace (no pubsim-trace header on line 1)") }
    guard header.version <= TraceHeader.currentVersion else {
      throw FormatError(
        file: file,
        message: "trace format version \(header.version) is newer than this pubsim reads "
          + "(\(TraceHeader.currentVersion)); use a newer pubsim")
    }
    var records: [TraceRecord] = []
    records.reserveCapacity(lines.count - 1)
    let decoder = JSONDecoder()
    for (offset, line) in lines.dropFirst().enumerated() {
      guard let record = try? decoder.decode(TraceRecord.self, from: Data(line)) else {
        throw FormatError(file: file, message: "line \(offset + 2) is not a trace record")
      }
      if let problem = record.implausibility {
        throw FormatError(file: file, message: "line \(offset + 2): \(problem)")
      }
      records.append(record)
    }
    return (header, records)
  }
}
