import NIOCore
import Publication
import SIPCore
import Transport

/// A request as a compositor's loop answers it, however it was read: parsed into a
/// ``SIPMessage`` (``ParsedRequest``), or a PUBLISH read in place (``InPlaceRequest``). The loop's
/// steps (the transaction cache, statistics, faults, the response) are the same for both.
protocol CompositorRequest {
  var method: SIPMethod { get }
  /// The server transaction it belongs to; nil without a top Via branch.
  var transactionKey: TransactionKey? { get }
  /// The UDP port a response goes to: the source port when the Via asks for `rport`
  /// (RFC 3581), else the Via's port.
  func replyPort(source: ResponseWriter.Source?) -> Int
  /// Writes the lines a response copies from its request (RFC 3261 §8.2.6): the Vias, the top
  /// one stamped with `received` and `rport`, then From, To (tagged), Call-ID and CSeq in the
  /// order the request has them.
  func writeCopied(source: ResponseWriter.Source?, toTag: String, into cursor: inout ByteCursor)
  /// At least the bytes ``writeCopied(source:toTag:into:)`` writes.
  func copiedBound(toTag: String) -> Int
  /// The compositor's decision and the NOTIFYs it causes.
  func decide(_ core: CompositorCore, now: UInt64, route: () -> (any NotifyRoute)?) -> (
    CompositorDecision?, [PendingNotify]
  )
}

extension CompositorRequest {
  static func replyPort(hasRPort: Bool, port: Int?, source: ResponseWriter.Source?) -> Int {
    if hasRPort, let source { return source.port }
    return port ?? 5060
  }
}

/// A request parsed whole, with its top Via read once.
struct ParsedRequest: CompositorRequest {
  let message: SIPMessage
  let topVia: Via?

  /// `message` must be a request.
  init(_ message: SIPMessage) {
    self.message = message
    topVia = message.topVia
  }

  var method: SIPMethod { message.method ?? .options }

  var transactionKey: TransactionKey? {
    guard let via = topVia, let branch = via.branch else { return nil }
    return TransactionKey(branch: branch, host: via.host, port: via.port, method: method)
  }

  func replyPort(source: ResponseWriter.Source?) -> Int {
    guard let topVia else { return source?.port ?? 5060 }
    return Self.replyPort(hasRPort: topVia.hasRPort, port: topVia.port, source: source)
  }

  func writeCopied(source: ResponseWriter.Source?, toTag: String, into cursor: inout ByteCursor) {
    for (index, value) in message.headers.values(.via).enumerated() {
      if index == 0, let topVia {
        var value = value
        value.withUTF8 {
          ResponseWriter.writeVia(
            $0, host: topVia.host, hasRPort: topVia.hasRPort, source: source, into: &cursor)
        }
      } else {
        ResponseWriter.writeHeader("Via", value, into: &cursor)
      }
    }
    for field in message.headers {
      guard let name = ResponseWriter.CopiedName(field.name) else { continue }
      var value = field.value
      value.withUTF8 { ResponseWriter.writeCopiedLine(name, $0, toTag: toTag, into: &cursor) }
    }
  }

  func copiedBound(toTag: String) -> Int {
    // Every Via value is a line of its own: a list's commas become line breaks and names.
    var bound = toTag.utf8.count + 8
    for field in message.headers where field.name == .via {
      let length = field.value.utf8.count
      bound += ResponseWriter.stampedViaBound(length: length) + length * 8
    }
    for field in message.headers where ResponseWriter.CopiedName(field.name) != nil {
      bound += field.value.utf8.count + 16
    }
    return bound
  }

  func decide(_ core: CompositorCore, now: UInt64, route: () -> (any NotifyRoute)?) -> (
    CompositorDecision?, [PendingNotify]
  ) {
    core.decide(message, now: now, route: route)
  }
}

/// A PUBLISH read in place, with the bytes it was read from (valid while it is answered).
struct InPlaceRequest: CompositorRequest {
  let publish: InPlacePublish
  let bytes: UnsafeRawBufferPointer

  var method: SIPMethod { .publish }

  var transactionKey: TransactionKey? {
    guard let branch = publish.topVia.branch else { return nil }
    return TransactionKey(
      branch: branch, host: publish.topVia.host, port: publish.topVia.port, method: .publish)
  }

  func replyPort(source: ResponseWriter.Source?) -> Int {
    Self.replyPort(hasRPort: publish.topVia.hasRPort, port: publish.topVia.port, source: source)
  }

  func writeCopied(source: ResponseWriter.Source?, toTag: String, into cursor: inout ByteCursor) {
    let values = publish.values
    guard let via = values.via else { return }
    ResponseWriter.writeVia(
      value(via), host: publish.topVia.host, hasRPort: publish.topVia.hasRPort, source: source, into: &cursor)
    for name in values.copiedOrder {
      guard let range = values[name.field] else { continue }
      ResponseWriter.writeCopiedLine(name, value(range), toTag: toTag, into: &cursor)
    }
  }

  /// The copied values all lie within the request; only the top Via may grow.
  func copiedBound(toTag: String) -> Int {
    bytes.count + ResponseWriter.stampedViaBound(length: publish.values.via?.count ?? 0) + toTag.utf8.count
      + 8
  }

  func decide(_ core: CompositorCore, now: UInt64, route: () -> (any NotifyRoute)?) -> (
    CompositorDecision?, [PendingNotify]
  ) {
    core.decidePublish(publish.request, now: now)
  }

  private func value(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
    InPlacePublish.buffer(bytes, range)
  }
}
