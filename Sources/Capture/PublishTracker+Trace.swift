import Foundation
import Publication
import SIPCore
import Trace

extension PublishTracker {
  /// The capture's PUBLISH transactions as trace records, in time order (what replay reads
  /// straight from a capture, without a trace file in between).
  public func trace(captures: [String]) -> (TraceHeader, [TraceRecord]) {
    let transactions = self.transactions.sorted { $0.firstSeen < $1.firstSeen }
    let start = transactions.first?.firstSeen ?? 0
    var operations = Dictionary(
      uniqueKeysWithValues: (PublishOperation.allCases.map(\.rawValue) + ["invalid"]).map { ($0, 0) })
    for transaction in transactions {
      operations[transaction.operation?.rawValue ?? "invalid", default: 0] += 1
    }
    return (
      TraceHeader(
        captures: captures, startedAtNanos: start, transactions: transactions.count, operations: operations),
      transactions.map { Self.record($0, event: event(of: $0), start: start) }
    )
  }

  static func record(_ transaction: PublishTracker.Transaction, event: String?, start: UInt64) -> TraceRecord
  {
    let message = transaction.request
    let requestURI = message?.requestURI ?? ""
    let body = message?.body ?? []
    let text = String(validating: body, as: UTF8.self)
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
        entityTag: transaction.issuedTag, expires: transaction.grantedExpires),
      headers: message == nil ? nil : SIPHeadLines.lines(of: transaction.requestBytes))
  }

  /// The trace file of the capture's PUBLISH transactions.
  public func encodedTrace(captures: [String]) throws -> Data {
    let (header, records) = trace(captures: captures)
    return try TraceCodec.encode(header, records)
  }
}
