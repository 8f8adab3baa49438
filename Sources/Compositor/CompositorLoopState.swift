import Logging
import NIOCore
import Publication
import SIPCore

/// Everything one event loop of the compositor owns: the transaction cache, the statistics and
/// the dice. Used only on its own loop, so nothing in it is locked; the shared store behind
/// ``CompositorCore`` is.
///
/// ``handle(_:framing:source:now:)`` is the whole request path without sockets: bytes in, the
/// bytes to send back (and when) out.
final class CompositorLoopState: @unchecked Sendable {
  /// A response to send: its bytes, how long to hold it, and for UDP the port to send it to.
  struct Reply {
    var bytes: ByteBuffer
    var delay: UInt64
    var port: Int
    /// NOTIFYs the request causes, sent after the response.
    var notifications: [PendingNotify] = []
  }

  let core: CompositorCore
  let parser: SIPParser
  private(set) var statistics = CompositorStatistics()
  private var cache: TransactionCache
  private var random: SplitMix64
  private var toTagCounter: UInt64 = 0
  private let toTagPrefix: String
  private let allocator = ByteBufferAllocator()
  /// Says, at debug level, which requests were refused and why (`--log-level debug`).
  let logger: Logger
  /// Whether a PUBLISH is read in place (``InPlacePublish``) when it can be; off, every request
  /// is parsed whole. The two give the same answers; tests compare them.
  let readsInPlace: Bool

  init(
    core: CompositorCore, transactionLifetime: UInt64, now: UInt64, seed: UInt64,
    limits: SIPLimits = .default,
    logger: Logger = Logger(label: "pubsim.compositor", factory: { _ in SwiftLogNoOpLogHandler() }),
    readsInPlace: Bool = true
  ) {
    self.core = core
    self.logger = logger
    self.readsInPlace = readsInPlace
    parser = SIPParser(limits: limits)
    cache = TransactionCache(lifetime: transactionLifetime, now: now)
    random = SplitMix64(seed: seed)
    toTagPrefix = String(seed & 0xFFFF_FFFF, radix: 36) + "-"
  }

  /// Handles one received message. `source` is the peer's address; on UDP the reply port
  /// follows RFC 3581 (the source port when the Via asks for `rport`, else the Via port).
  /// `route` makes where a SUBSCRIBE's NOTIFYs go (asked for only by a SUBSCRIBE).
  func handle(
    _ bytes: ByteBuffer, framing: SIPFraming, source: ResponseWriter.Source?, now: UInt64,
    route: () -> (any NotifyRoute)? = { nil }
  ) -> Reply? {
    // Digest authentication reads the whole message: such a compositor parses every request.
    if readsInPlace, core.authentication == nil {
      let answered = bytes.withUnsafeReadableBytes { raw -> Reply?? in
        guard let publish = InPlacePublish(raw, framing: framing, limits: parser.limits) else { return .none }
        return .some(
          answer(
            InPlaceRequest(publish: publish, bytes: raw), framing: framing, source: source, now: now,
            route: route))
      }
      if let answered { return answered }
    }
    let parsed = bytes.withUnsafeReadableBytes { raw in
      Result { () throws(SIPParseError) in try parser.parse(raw, framing: framing) }
    }
    let message: SIPMessage
    switch parsed {
    case .success(let parsedMessage):
      message = parsedMessage
    case .failure(let error):
      statistics.malformed += 1
      logger.debug("malformed message: \(error)", metadata: Self.metadata(source))
      guard let head = headToAnswer(bytes, error: error, framing: framing) else { return nil }
      return answerMalformed(head, error: error, source: source)
    }
    guard message.method != nil else {
      // An answer to one of the compositor's NOTIFYs, or a stray.
      if !core.notifier.responseReceived(message) { statistics.strayResponses += 1 }
      return nil
    }
    return answer(ParsedRequest(message), framing: framing, source: source, now: now, route: route)
  }

  /// The steps every request goes through once read: a retransmission gets its transaction's
  /// response again; a new request is counted, decided (or dropped or failed by the fault
  /// plan), answered, and its answer kept for retransmissions.
  private func answer<Request: CompositorRequest>(
    _ request: Request, framing: SIPFraming, source: ResponseWriter.Source?, now: UInt64,
    route: () -> (any NotifyRoute)?
  ) -> Reply? {
    let method = request.method
    let key = framing == .datagram ? request.transactionKey : nil
    if let key, let entry = cache.lookup(key, now: now) {
      statistics.retransmissions += 1
      guard entry.sendAt <= now else { return nil }
      var response = allocator.buffer(capacity: 512)
      ResponseWriter.write(entry.answer, for: request, source: source, into: &response)
      return Reply(bytes: response, delay: 0, port: request.replyPort(source: source))
    }
    statistics.requestsByMethod[method.rawValue, default: 0] += 1
    let (decided, notifications) = decide(request, now: now, route: route)
    guard let decision = decided else { return nil }
    if decision.statusCode >= 400 {
      logger.debug(
        "\(method.rawValue) answered \(decision.statusCode) \(decision.reason)",
        metadata: Self.metadata(source))
    }
    let toTag = decision.toTag ?? nextToTag()
    let (response, layout) = respond(decision, to: request, source: source, toTag: toTag)
    var delay = core.faults.delay?.sample(using: &random) ?? 0
    if let stall = core.faults.stall {
      delay = max(delay, stall.hold(atElapsed: now - min(now, core.startedAt)))
    }
    if let key {
      cache.record(key, response: response, layout: layout, toTag: toTag, sendAt: now + delay, now: now)
    }
    return Reply(
      bytes: response, delay: delay, port: request.replyPort(source: source), notifications: notifications)
  }

  /// The head of a request that failed to parse but can still be answered 400 (RFC 3261 §18.3):
  /// a datagram whose body cannot be read (Content-Length malformed, conflicting or past its
  /// end), or a request with a broken header line (a NUL byte, a line over the limit), answered
  /// from the lines that read.
  private func headToAnswer(_ bytes: ByteBuffer, error: SIPParseError, framing: SIPFraming) -> SIPMessage? {
    let head: SIPMessage?
    switch error.kind {
    case .invalidContentLength, .conflictingContentLength, .truncatedBody:
      // Over a stream the length is the framing itself: nothing is left to answer in.
      guard framing == .datagram else { return nil }
      head = bytes.withUnsafeReadableBytes { parser.parseHead($0) }
    case .binaryData, .lineTooLong, .malformedHeader, .unexpectedContinuation:
      // A broken header line: the request can still be answered from the lines that read.
      head = bytes.withUnsafeReadableBytes { parser.answerableHead($0) }
    default: return nil
    }
    guard let head, let method = head.method, method != .ack, head.topVia != nil else { return nil }
    return head
  }

  private func answerMalformed(_ head: SIPMessage, error: SIPParseError, source: ResponseWriter.Source?)
    -> Reply
  {
    let reason: String
    switch error.kind {
    case .truncatedBody: reason = "Body Shorter Than Content-Length"
    case .conflictingContentLength: reason = "Conflicting Content-Length"
    case .binaryData: reason = "Binary Data in Header"
    case .lineTooLong: reason = "Header Line Too Long"
    case .malformedHeader, .unexpectedContinuation: reason = "Malformed Header"
    default: reason = "Bad Content-Length"
    }
    let request = ParsedRequest(head)
    let (response, _) = respond(
      CompositorDecision(400, reason: reason), to: request, source: source, toTag: nextToTag())
    return Reply(bytes: response, delay: 0, port: request.replyPort(source: source))
  }

  /// Writes the response to a request, and counts it.
  private func respond<Request: CompositorRequest>(
    _ decision: CompositorDecision, to request: Request, source: ResponseWriter.Source?, toTag: String
  ) -> (ByteBuffer, ResponseWriter.Layout) {
    statistics.responsesByCode[decision.statusCode, default: 0] += 1
    var response = allocator.buffer(capacity: ResponseWriter.bound(decision, for: request, toTag: toTag))
    let layout = ResponseWriter.write(decision, for: request, source: source, toTag: toTag, into: &response)
    return (response, layout)
  }

  /// Sends a held response (`--delay`, `--stall`) `delay` after its request was read, and records
  /// how long the server really kept it (from the read to the end of the write: decoding,
  /// deciding and timer lateness included), so that tests can compare what a client measured
  /// with what the server did.
  func sendLater(
    after delay: UInt64, readAt: UInt64, on loop: EventLoop, send: @escaping @Sendable () -> Void
  ) {
    loop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(readAt + delay)) { [self] in
      send()
      statistics.recordHold(nanoseconds: NIODeadline.now().uptimeNanoseconds - readAt)
    }
  }

  /// Sends the NOTIFYs a request caused, once its response is on its way.
  func notify(_ notifications: [PendingNotify], after context: ChannelHandlerContext) {
    guard !notifications.isEmpty else { return }
    context.flush()
    for notify in notifications { core.notifier.send(notify) }
  }

  /// A stream connection closed because its bytes could not be framed.
  func recordMalformedStream() {
    statistics.malformed += 1
  }

  private func decide<Request: CompositorRequest>(
    _ request: Request, now: UInt64, route: () -> (any NotifyRoute)?
  ) -> (CompositorDecision?, [PendingNotify]) {
    switch core.faults.roll(using: &random) {
    case .drop:
      statistics.dropped += 1
      return (nil, [])
    case .fail(let code):
      return (request.method == .ack ? nil : CompositorDecision(code), [])
    case .process:
      return request.decide(core, now: now, route: route)
    }
  }

  private static func metadata(_ source: ResponseWriter.Source?) -> Logger.Metadata {
    source.map { ["from": "\(SIPHost.text($0.host)):\($0.port)"] } ?? [:]
  }

  private func nextToTag() -> String {
    toTagCounter &+= 1
    return toTagPrefix + String(toTagCounter, radix: 36)
  }
}
