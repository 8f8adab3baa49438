import HeapModule
import Measurements
import NIOCore
import Publication
import SIPCore
import Transport

/// One share-nothing slice of a run: its own publishers, timers, transactions, sockets and
/// metrics, all on one event loop, so nothing here is locked. The engine runs one per core and
/// merges their metrics at the end. What the publishers do comes from its ``Workload``.
///
/// A 1 ms tick starts arriving publishers, fires due timers (publisher wake-ups and Timer E/F)
/// and flushes every socket once. UDP responses are read on the tick (stamped by the kernel when
/// they arrived); TCP responses are handled as SwiftNIO reads them.
final class Shard<W: Workload>: ShardInput, @unchecked Sendable {
  struct PublisherSlot {
    var cseq: UInt32 = 0
    var transaction: Int32 = -1
    var timerGeneration: UInt32 = 0
  }

  struct AuthState {
    var challenge: DigestChallenge
    var isProxy: Bool
    var nonceCount: UInt32 = 0
  }

  struct TransactionRecord {
    var generation: UInt32 = 0
    var publisher: Int32 = -1
    var operation: PublishOperation = .initial
    var intendedAt: UInt64 = 0
    var sentAt: UInt64 = 0
    var state = ClientTransaction(startedAt: 0, reliable: true)
    var bytes: ByteBuffer?
    var connection: Int = 0
  }

  /// A small picture of the shard for the progress line.
  struct Progress: Sendable {
    var sent: UInt64 = 0
    var completed: UInt64 = 0
    var errors: UInt64 = 0
    var inFlight = 0
    var active = 0
    var lastSecond = TimeSeries.Second()
    /// Cumulative counts for live metrics.
    var live = PrometheusExporter.Snapshot()
  }

  let index: Int
  let plan: LoadPlan
  let loop: EventLoop
  let runTag: UInt32
  let workload: W
  private(set) var metrics: RunMetrics
  private(set) var peakActive = 0
  /// Publications left live when the shard finished (after the drain and any cleanup).
  private(set) var liveAtEnd = 0
  private var startedAt: UInt64 = 0
  private var publishers: [PublisherSlot] = []
  /// The digest challenge each challenged publisher answers preemptively, with its nonce count
  /// (apart from the slots, which a million publishers without authentication keep small).
  private var authentications: [Int32: AuthState] = [:]
  private var transactions: [TransactionRecord] = []
  private var freeTransactions: [Int32] = []
  private var timers = Heap<TimerEntry>()
  private var random: SplitMix64
  private var connections: [ShardConnection] = []
  private var stopping = false
  private var stopDeadline: UInt64 = .max
  private var active = 0
  private var inFlight = 0
  private var rateTokens: Double = 0
  private var lastRefill: UInt64 = 0
  private var deferred: [(publisher: Int32, request: PublisherStateMachine.Request)] = []
  /// Scratch arrays for the workload's changes, one per level of reaction (a failed send
  /// reacts within a reaction), reused so that reacting allocates nothing.
  private var spareChanges: [[WorkloadChange]] = []
  private let parser = SIPParser()
  private var deferredHead = 0
  private var lastSampledSecond: UInt64 = 0
  private var wake: Scheduled<Void>?
  private var wakeAt: UInt64 = .max
  private var running = false
  /// Whether any socket is read on the tick (timestamped UDP) rather than by SwiftNIO.
  private var polling = false
  /// Transactions queued on timestamped sockets since the last flush, stamped when it sends.
  private var unstamped: [Int32] = []
  private let allocator = ByteBufferAllocator()
  private var finished: EventLoopPromise<Void>?

  init(index: Int, plan: LoadPlan, loop: EventLoop, runTag: UInt32, workload: W) {
    self.index = index
    self.plan = plan
    self.loop = loop
    self.runTag = runTag
    self.workload = workload
    metrics = RunMetrics(startedAt: 0)
    random = SplitMix64(seed: UInt64(runTag) << 8 | UInt64(index))
  }

  // MARK: Lifecycle

  /// Takes the shard's sockets and starts ticking at `startedAt`; the future completes when the
  /// shard has stopped and drained. Must run on the shard's loop.
  func start(connections: [ShardConnection], startedAt: UInt64) -> EventLoopFuture<Void> {
    loop.preconditionInEventLoop()
    let finished = loop.makePromise(of: Void.self)
    self.finished = finished
    self.connections = connections
    polling = connections.contains { $0.datagram != nil }
    self.startedAt = startedAt
    metrics.startedAt = startedAt
    publishers.reserveCapacity(workload.publisherCapacity)
    lastRefill = startedAt
    lastSampledSecond = 0
    running = true
    react(.start, now: startedAt)
    scheduleWake(at: startedAt)
    return finished.futureResult
  }

  /// Asks to be woken at `requested` (timers, arrivals, the next second's sample), rounded up to
  /// the shard's 1 ms grid. Arrivals are scheduled on that grid, so they leave on time; timers
  /// (refresh, modify, back-off, Timer E/F) fire at most 1 ms after their due time, and that
  /// lateness counts in the latency from the intended time. Waking on a grid lets one wake-up
  /// serve many publishers, which is what keeps the engine cheap at high rates.
  private func scheduleWake(at requested: UInt64) {
    let deadline = Self.gridCeiling(requested)
    guard running, deadline < wakeAt else { return }
    wake?.cancel()
    wakeAt = deadline
    wake = loop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [self] in
      wakeAt = .max
      wake = nil
      onTick()
    }
  }

  /// Stops scheduling: every publisher stops (removing its publication with `cleanup`), and the
  /// shard finishes when nothing is in flight or at `drainDeadline`.
  func stop(now: UInt64, drainDeadline: UInt64) {
    loop.preconditionInEventLoop()
    guard !stopping else { return }
    stopping = true
    stopDeadline = drainDeadline
    react(.stop(cleanup: plan.cleanup), now: now)
    flushAll()
    finishIfDrained(now: now)
    scheduleNextWake(now: now)
  }

  private func finishIfDrained(now: UInt64) {
    if !stopping && running && inFlight == 0 && workload.isFinished {
      stopping = true
    }
    guard stopping, running, inFlight == 0 || now >= stopDeadline else { return }
    running = false
    liveAtEnd = workload.livePublications
    wake?.cancel()
    wake = nil
    sample(now: now)
    finished?.succeed(())
  }

  var progress: Progress {
    var progress = Progress()
    progress.sent = metrics.sent
    progress.completed = metrics.completed
    progress.errors =
      metrics.timeouts + metrics.transportErrors
      + metrics.all.responsesByCode.filter { RunMetrics.isError($0.key) }
      .reduce(0) { $0 + $1.value }
    progress.inFlight = inFlight
    progress.active = active
    progress.live.add(metrics, inFlight: inFlight, activePublishers: active)
    let elapsed = NIODeadline.now().uptimeNanoseconds - startedAt
    if elapsed >= 1_000_000_000 { progress.lastSecond = metrics.timeSeries[elapsed: elapsed - 1_000_000_000] }
    return progress
  }

  // MARK: Tick

  private func onTick() {
    let now = NIODeadline.now().uptimeNanoseconds
    readDatagrams(now: now)
    startArrivals(now: now)
    fireTimers(now: now)
    releaseDeferred(now: now)
    flushAll()
    sample(now: now)
    finishIfDrained(now: now)
    scheduleNextWake(now: now)
  }

  /// The first 1 ms boundary at or after `time`.
  static func gridCeiling(_ time: UInt64) -> UInt64 {
    (time + 999_999) / 1_000_000 * 1_000_000
  }

  private func scheduleNextWake(now: UInt64) {
    var next = startedAt + (lastSampledSecond + 1) * 1_000_000_000
    if let timer = timers.min { next = min(next, timer.deadline) }
    if !stopping { next = min(next, workload.nextDue(now: now)) }
    // Timestamped UDP sockets are read on the tick: while answers are awaited, tick every 1 ms.
    if inFlight > 0 && polling { next = min(next, now + 1_000_000) }
    if deferredHead < deferred.count { next = min(next, now + 1_000_000) }
    if stopping { next = min(next, stopDeadline) }
    scheduleWake(at: max(next, now))
  }

  private func startArrivals(now: UInt64) {
    guard !stopping, workload.nextDue(now: now) <= now else { return }
    react(.due, now: now)
  }

  /// Tells the workload what happened and performs the publishers' actions it answers with.
  private func react(_ event: WorkloadEvent, now: UInt64) {
    var changes = spareChanges.popLast() ?? []
    workload.handle(event, now: now, random: &random, into: &changes)
    for change in changes {
      while publishers.count <= change.publisher { publishers.append(PublisherSlot()) }
      if change.arrived {
        active += 1
        peakActive = max(peakActive, active)
      }
      perform(change.action, publisher: change.publisher, now: now)
    }
    changes.removeAll(keepingCapacity: true)
    spareChanges.append(changes)
  }

  private func fireTimers(now: UInt64) {
    while let first = timers.min, first.deadline <= now {
      _ = timers.removeMin()
      switch first.kind {
      case .publisher:
        let publisher = Int(first.index)
        guard publishers[publisher].timerGeneration == first.generation else { continue }
        react(.timer(publisher: publisher), now: now)
      case .transaction:
        transactionTimerFired(Int(first.index), generation: first.generation, now: now)
      }
    }
  }

  private func transactionTimerFired(_ slot: Int, generation: UInt32, now: UInt64) {
    guard transactions[slot].generation == generation, transactions[slot].publisher >= 0 else { return }
    switch transactions[slot].state.timerFired(now: now) {
    case .retransmit:
      if let bytes = transactions[slot].bytes {
        _ = connections[transactions[slot].connection].write(bytes)
        metrics.recordRetransmission()
      }
      scheduleTransactionTimer(slot)
    case .timeout:
      metrics.recordTimeout(transactions[slot].operation, at: now)
      let publisher = Int(transactions[slot].publisher)
      releaseTransaction(slot)
      react(.failed(publisher: publisher, timedOut: true), now: now)
    case .none, .completed:
      scheduleTransactionTimer(slot)
    }
  }

  private func sample(now: UInt64) {
    let second = (now - min(now, startedAt)) / 1_000_000_000
    guard second > lastSampledSecond || (stopping && !running) else { return }
    lastSampledSecond = second
    metrics.sample(inFlight: inFlight, activePublishers: active, at: now)
  }

  private func flushAll() {
    if !unstamped.isEmpty {
      // Requests on timestamped sockets leave now, at the end of the tick's work: that is their
      // send time (the latency from the actual send starts here).
      let sentAt = NIODeadline.now().uptimeNanoseconds
      for slot in unstamped where transactions[Int(slot)].publisher >= 0 {
        transactions[Int(slot)].sentAt = sentAt
      }
      unstamped.removeAll(keepingCapacity: true)
    }
    for connection in connections { connection.flushIfNeeded() }
  }

  // MARK: Actions

  private func perform(_ action: PublisherStateMachine.Action, publisher: Int, now: UInt64) {
    switch action {
    case .send(let request):
      guard allowedByRateCap(now: now) else {
        deferred.append((Int32(publisher), request))
        return
      }
      send(request, publisher: publisher, now: now)
    case .wakeUp(let at):
      publishers[publisher].timerGeneration &+= 1
      guard at != .max else { return }
      timers.insert(
        TimerEntry(
          deadline: at, kind: .publisher, index: Int32(publisher),
          generation: publishers[publisher].timerGeneration))
      scheduleWake(at: at)
    case .leave:
      publishers[publisher].timerGeneration &+= 1
      active -= 1
    }
  }

  private func allowedByRateCap(now: UInt64) -> Bool {
    guard let cap = plan.rateCap else { return true }
    let perShard = cap / Double(max(plan.shards, 1))
    if now > lastRefill {
      rateTokens = min(rateTokens + Double(now - lastRefill) / 1e9 * perShard, max(perShard / 100, 1))
      lastRefill = now
    }
    guard rateTokens >= 1 else { return false }
    rateTokens -= 1
    return true
  }

  private func releaseDeferred(now: UInt64) {
    while deferredHead < deferred.count, allowedByRateCap(now: now) {
      let (publisher, request) = deferred[deferredHead]
      deferredHead += 1
      send(request, publisher: Int(publisher), now: now)
    }
    if deferredHead > 0 && deferredHead == deferred.count {
      deferred.removeAll(keepingCapacity: true)
      deferredHead = 0
    }
  }

  private func send(_ request: PublisherStateMachine.Request, publisher: Int, now: UInt64) {
    let slot = allocateTransaction()
    let connectionIndex = publisher % connections.count
    let connection = connections[connectionIndex]
    publishers[publisher].cseq &+= 1
    let outgoing = workload.outgoing(request, publisher: publisher)
    let identity = outgoing.identity
    let body = outgoing.body
    let branch = BranchCode(
      run: runTag, shard: index, slot: slot, generation: transactions[slot].generation)
    var bytes = allocator.buffer(capacity: 640 + body.count)
    connection.writer.write(
      RequestWriter.Outgoing(
        request: request, cseq: publishers[publisher].cseq, branch: branch, body: body,
        authorization: authorization(for: request, publisher: publisher, identity: identity)),
      for: identity, into: &bytes)
    let reliable = connection.transport != .udp
    transactions[slot].publisher = Int32(publisher)
    transactions[slot].operation = request.operation
    transactions[slot].intendedAt = request.intendedAt
    transactions[slot].sentAt = now
    transactions[slot].state = ClientTransaction(
      startedAt: now, reliable: reliable, timers: plan.transactionTimers)
    transactions[slot].bytes = reliable ? nil : bytes
    transactions[slot].connection = connectionIndex
    publishers[publisher].transaction = Int32(slot)
    inFlight += 1
    metrics.recordSend(intendedAt: request.intendedAt, sentAt: now)
    guard connection.write(bytes) else {
      metrics.recordTransportError(at: now)
      releaseTransaction(slot)
      react(.failed(publisher: publisher, timedOut: false), now: now)
      return
    }
    if connection.datagram != nil { unstamped.append(Int32(slot)) }
    scheduleTransactionTimer(slot)
  }

  /// The Authorization (or Proxy-Authorization) header answering the publisher's current
  /// challenge, with the next nonce count; nil when it has no challenge or no password.
  private func authorization(
    for request: PublisherStateMachine.Request, publisher: Int, identity: PublisherIdentity
  ) -> (name: String, value: String)? {
    // Without any challenge met there is nothing to answer (the usual case: no lookup per send).
    if authentications.isEmpty && request.challenge == nil { return nil }
    let key = Int32(publisher)
    if request.startsAuthenticationOver { authentications[key] = nil }
    if let challenge = request.challenge, let parsed = DigestChallenge(challenge.value) {
      authentications[key] = AuthState(challenge: parsed, isProxy: challenge.isProxy)
    }
    guard var auth = authentications[key], let password = identity.password else { return nil }
    auth.nonceCount &+= 1
    authentications[key] = auth
    let value = DigestAuthorization.header(
      answering: auth.challenge, method: "PUBLISH", uri: "sip:" + identity.aor, username: identity.user,
      password: password, nonceCount: auth.nonceCount, cnonce: String(random.next(), radix: 16))
    return (auth.isProxy ? "Proxy-Authorization" : "Authorization", value)
  }

  private func allocateTransaction() -> Int {
    if let free = freeTransactions.popLast() {
      transactions[Int(free)].generation &+= 1
      return Int(free)
    }
    transactions.append(TransactionRecord())
    return transactions.count - 1
  }

  private func releaseTransaction(_ slot: Int) {
    let publisher = Int(transactions[slot].publisher)
    if publisher >= 0 && publishers[publisher].transaction == Int32(slot) {
      publishers[publisher].transaction = -1
    }
    transactions[slot].publisher = -1
    transactions[slot].bytes = nil
    freeTransactions.append(Int32(slot))
    inFlight -= 1
  }

  private func scheduleTransactionTimer(_ slot: Int) {
    let deadline = transactions[slot].state.nextDeadline
    guard deadline != .max else { return }
    timers.insert(
      TimerEntry(
        deadline: deadline, kind: .transaction, index: Int32(slot), generation: transactions[slot].generation)
    )
    scheduleWake(at: deadline)
  }

  // MARK: Responses

  /// Handles bytes read by SwiftNIO from one of the shard's sockets (a framed TCP message).
  func received(_ bytes: ByteBuffer, connection: Int) {
    let now = NIODeadline.now().uptimeNanoseconds
    bytes.withUnsafeReadableBytes { received($0, at: now, now: now, connection: connection) }
    finishIfDrained(now: now)
  }

  /// Reads every response waiting on the shard's timestamped UDP sockets (on the tick), each
  /// measured at the kernel's receive time.
  private func readDatagrams(now: UInt64) {
    var clockOffset: Int64?
    for (index, connection) in connections.enumerated() {
      guard let socket = connection.datagram else { continue }
      socket.receive { bytes, realtime in
        let offset = clockOffset ?? Self.realtimeMinusUptime()
        clockOffset = offset
        let receivedAt = realtime == 0 ? now : UInt64(clamping: Int64(clamping: realtime) - offset)
        received(bytes, at: min(receivedAt, now), now: now, connection: index)
      }
    }
  }

  /// The wall clock minus the uptime clock, read back to back, to place kernel timestamps on the
  /// engine's clock.
  private static func realtimeMinusUptime() -> Int64 {
    let uptime = NIODeadline.now().uptimeNanoseconds
    return Int64(clamping: TimestampedDatagramSocket.wallClockNanoseconds()) - Int64(clamping: uptime)
  }

  /// One response: `receivedAt` is when it arrived (latency ends there), `now` when it is
  /// handled (the publisher acts from here). A request from the server goes to the workload.
  private func received(_ bytes: UnsafeRawBufferPointer, at receivedAt: UInt64, now: UInt64, connection: Int)
  {
    if !Self.isResponse(bytes) {
      answerIncoming(bytes, now: now, connection: connection)
      return
    }
    guard let response = ResponseSummary(bytes),
      let code = BranchCode(UnsafeRawBufferPointer(rebasing: bytes[response.branch])), code.run == runTag,
      code.shard == index,
      code.slot < transactions.count
    else {
      metrics.strayResponses += 1
      return
    }
    let slot = code.slot
    guard transactions[slot].generation == code.generation, transactions[slot].publisher >= 0 else {
      metrics.lateResponses += 1
      return
    }
    guard
      case .completed(let status) = transactions[slot].state.responseReceived(statusCode: response.statusCode)
    else { return }
    complete(slot, status: status, response: response.stateMachineResponse, receivedAt: receivedAt, now: now)
  }

  private func complete(
    _ slot: Int, status: Int, response: PublisherStateMachine.Response, receivedAt: UInt64, now: UInt64
  ) {
    let record = transactions[slot]
    metrics.recordResponse(
      record.operation, statusCode: status, intendedAt: record.intendedAt, sentAt: record.sentAt,
      receivedAt: receivedAt)
    switch status {
    case 412 where record.operation != .remove: metrics.recoveries412 += 1
    case 423: metrics.retries423 += 1
    case 401, 407: metrics.authChallenges += 1
    default: break
    }
    let publisher = Int(record.publisher)
    releaseTransaction(slot)
    react(
      .response(publisher: publisher, response, latency: receivedAt - min(receivedAt, record.sentAt)),
      now: now)
  }

  /// Whether a message is a response (`SIP/2.0 ` first); anything else is taken for a request.
  private static func isResponse(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 8 && bytes.prefix(8).elementsEqual("SIP/2.0 ".utf8)
  }

  /// A request from the server (a NOTIFY to a watcher): the workload says the status, and the
  /// answer goes back on the connection it came by. What cannot be parsed is counted as stray.
  private func answerIncoming(_ bytes: UnsafeRawBufferPointer, now: UInt64, connection: Int) {
    guard let request = try? parser.parse(bytes, framing: connections[connection].framing), request.isRequest
    else {
      metrics.strayResponses += 1
      return
    }
    metrics.incomingRequests += 1
    let status = workload.incoming(request, now: now)
    var answer = allocator.buffer(capacity: 512)
    request.answer(status, toTag: "pubsim-\(runTag)-\(index)").write(into: &answer)
    _ = connections[connection].write(answer)
    connections[connection].flushIfNeeded()
  }

  /// Flushes after a batch of reads (responses may have triggered new requests).
  func readBatchComplete() {
    flushAll()
  }

  /// A TCP connection closed: its outstanding transactions fail now (the publishers back off).
  func connectionClosed(_ connectionIndex: Int) {
    let now = NIODeadline.now().uptimeNanoseconds
    for slot in transactions.indices
    where transactions[slot].publisher >= 0 && transactions[slot].connection == connectionIndex {
      metrics.recordTransportError(at: now)
      let publisher = Int(transactions[slot].publisher)
      releaseTransaction(slot)
      react(.failed(publisher: publisher, timedOut: false), now: now)
    }
    finishIfDrained(now: now)
  }
}
