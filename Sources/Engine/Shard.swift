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
final class Shard: @unchecked Sendable {
  /// What the shard keeps per publisher: its CSeq, and the generation that tells its live timer
  /// from stale heap entries.
  struct PublisherSlot {
    var cseq: UInt32 = 0
    var timerGeneration: UInt32 = 0
    /// Whether the publisher is counted in `active`.
    var online = false
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
  let workload: any Workload
  /// Whether the workload has watchers at all (most runs have none: nothing to ask).
  let hasWatchers: Bool
  var metrics: RunMetrics
  /// Where finished seconds of the time series wait for the end of the run.
  private var spill = SecondSpill()
  private(set) var peakActive = 0
  /// Publications left live when the shard finished (after the drain and any cleanup).
  private(set) var liveAtEnd = 0
  private var startedAt: UInt64 = 0
  private var publishers: [PublisherSlot] = []
  /// The generation of each watcher's live timer (stale heap entries are skipped).
  private var watcherTimers: [UInt32] = []
  /// Scratch for the watchers' actions, reused.
  private var spareWatcherChanges: [WatcherChange] = []
  /// SUBSCRIBE retransmissions (kept out of the PUBLISH figures).
  private var subscribeRetransmissions: UInt64 = 0
  private var digests = DigestAnswers()
  var transactions = TransactionTable()
  private var timers = Heap<TimerEntry>()
  private var random: SplitMix64
  private(set) var connections: [ShardConnection] = []
  private var stopping = false
  /// Whether a stream that is not SIP was logged as a warning already.
  var reportedNonSIP = false
  private var stopDeadline: UInt64 = .max
  private var active = 0
  private var inFlight: Int { transactions.inFlight }
  /// PUBLISH transactions in flight: what the progress line, live metrics and time series say.
  private var publishesInFlight: Int { transactions.inFlight - transactions.subscribesInFlight }
  private var rateCap: RateCap?
  private var deferred: [(publisher: Int32, request: PublisherStateMachine.Request)] = []
  /// Scratch arrays for the workload's changes, one per level of reaction (a failed send
  /// reacts within a reaction), reused so that reacting allocates nothing.
  private var spareChanges: [[WorkloadChange]] = []
  let parser = SIPParser()
  private var deferredHead = 0
  private var lastSampledSecond: UInt64 = 0
  /// The tick asked of the loop (a scheduled callback: no promise or closure made per tick).
  private var wake: NIOScheduledCallback?
  private var wakeAt: UInt64 = .max
  private var running = false
  /// Inside ``onTick()``: wake-ups asked for meanwhile wait for the tick's own scheduling at its
  /// end, which looks at every timer (each request's Timer E, asked for as it is sent, would
  /// otherwise schedule a task only to have it replaced a moment later).
  private var ticking = false
  /// Whether any socket is read on the tick (timestamped UDP) rather than by SwiftNIO.
  private var polling = false
  /// Transactions queued on timestamped sockets since the last flush, stamped when it sends.
  private var unstamped: [Int32] = []
  let allocator = ByteBufferAllocator()
  private var finished: EventLoopPromise<Void>?

  init(index: Int, plan: LoadPlan, loop: EventLoop, runTag: UInt32, workload: any Workload) {
    self.index = index
    self.plan = plan
    self.loop = loop
    self.runTag = runTag
    self.workload = workload
    hasWatchers = workload.watcherCapacity > 0
    metrics = RunMetrics(startedAt: 0)
    // Each shard its own stream of the run's seed (the run tag only names the run on the wire).
    random = SplitMix64(seed: plan.seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
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
    let slots = max(plan.shards, 1) * plan.instance.count
    rateCap = plan.rateCap.map { RateCap(perSecond: $0 / Double(slots), now: startedAt) }
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
    guard running, !ticking, deadline < wakeAt else { return }
    wake?.cancel()
    wakeAt = deadline
    wake = try? loop.scheduleCallback(at: .uptimeNanoseconds(deadline), handler: self)
  }

  /// Stops scheduling: every publisher stops (removing its publication with `cleanup`), and the
  /// shard finishes when nothing is in flight or at `drainDeadline`.
  func stop(now: UInt64, drainDeadline: UInt64) {
    loop.preconditionInEventLoop()
    guard !stopping else { return }
    stopping = true
    stopDeadline = drainDeadline
    repeat { react(.stop(cleanup: plan.cleanup), now: now) } while workload.stopPending
    flushAll()
    finishIfDrained(now: now)
    scheduleNextWake(now: now)
  }

  func finishIfDrained(now: UInt64) {
    if !stopping && running && inFlight == 0 && workload.isFinished {
      stopping = true
    }
    guard stopping, running, (inFlight == 0 && !workload.awaitsIncoming(now: now)) || now >= stopDeadline
    else { return }
    running = false
    liveAtEnd = workload.livePublications
    if var watchers = workload.watcherMetrics(final: true) {
      watchers.subscriptions.retransmissions += subscribeRetransmissions
      metrics.watchers = watchers
    }
    wake?.cancel()
    wake = nil
    sample(now: now)
    restoreSpilledSeconds()
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
    progress.inFlight = publishesInFlight
    progress.active = active
    progress.live.add(metrics, inFlight: publishesInFlight, activePublishers: active)
    if hasWatchers, let watchers = workload.watcherMetrics(final: false) { progress.live.add(watchers) }
    let elapsed = NIODeadline.now().uptimeNanoseconds - startedAt
    if elapsed >= 1_000_000_000 { progress.lastSecond = metrics.timeSeries[elapsed: elapsed - 1_000_000_000] }
    return progress
  }

  // MARK: Tick

  /// One tick now, whatever is scheduled (``ShardTicker`` drives a shard this way).
  func tickNow() { onTick() }

  private func onTick() {
    let now = NIODeadline.now().uptimeNanoseconds
    ticking = true
    readDatagrams(now: now)
    startArrivals(now: now)
    fireTimers(now: now)
    releaseDeferred(now: now)
    flushAll()
    sample(now: now)
    finishIfDrained(now: now)
    ticking = false
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
    if (inFlight > 0 || (hasWatchers && workload.expectsIncoming)) && polling {
      next = min(next, now + 1_000_000)
    }
    if deferredHead < deferred.count { next = min(next, now + 1_000_000) }
    if stopping { next = min(next, stopDeadline) }
    scheduleWake(at: max(next, now))
  }

  private func startArrivals(now: UInt64) {
    guard !stopping, workload.nextDue(now: now) <= now else { return }
    react(.due, now: now)
  }

  /// Tells the workload what happened and performs the publishers' actions it answers with.
  func react(_ event: WorkloadEvent, now: UInt64) {
    var changes = spareChanges.popLast() ?? []
    workload.handle(event, now: now, random: &random, into: &changes)
    for change in changes {
      while publishers.count <= change.publisher { publishers.append(PublisherSlot()) }
      if change.arrived { setOnline(change.publisher, true) }
      if change.departed { setOnline(change.publisher, false) }
      perform(change.action, publisher: change.publisher, now: now)
    }
    changes.removeAll(keepingCapacity: true)
    spareChanges.append(changes)
    performWatcherChanges(now: now)
  }

  /// Performs the watchers' actions the workload decided (after an event or a NOTIFY).
  func performWatcherChanges(now: UInt64) {
    guard hasWatchers else { return }
    var changes = spareWatcherChanges
    spareWatcherChanges = []
    workload.takeWatcherChanges(into: &changes)
    for change in changes {
      while watcherTimers.count <= change.watcher { watcherTimers.append(0) }
      switch change.action {
      case .send(let request): sendSubscribe(request, watcher: change.watcher, now: now)
      case .wakeUp(let at):
        watcherTimers[change.watcher] &+= 1
        timers.insert(
          TimerEntry(
            deadline: at, kind: .watcher, index: Int32(change.watcher),
            generation: watcherTimers[change.watcher]))
        scheduleWake(at: at)
      case .leave: watcherTimers[change.watcher] &+= 1
      case .none: break
      }
    }
    changes.removeAll(keepingCapacity: true)
    if spareWatcherChanges.isEmpty { spareWatcherChanges = changes }
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
      case .watcher:
        let watcher = Int(first.index)
        guard watcherTimers[watcher] == first.generation else { continue }
        react(.watcherTimer(watcher: watcher), now: now)
      }
    }
  }

  private func transactionTimerFired(_ slot: Int, generation: UInt32, now: UInt64) {
    guard transactions.isCurrent(slot, generation: generation) else { return }
    switch transactions[slot].state.timerFired(now: now) {
    case .retransmit:
      if let bytes = transactions[slot].bytes {
        _ = connections[transactions[slot].connection].write(bytes)
        if transactions[slot].watcher {
          subscribeRetransmissions += 1
        } else {
          metrics.recordRetransmission()
        }
      }
      scheduleTransactionTimer(slot)
    case .timeout:
      let record = transactions.close(slot)
      if record.watcher {
        react(.watcherFailed(watcher: Int(record.publisher ?? 0), timedOut: true), now: now)
        return
      }
      if let fault = record.fault {
        metrics.recordFaultAnswer(fault.rawValue, statusCode: nil)
      } else {
        metrics.recordTimeout(record.operation, at: now)
      }
      react(.failed(publisher: Int(record.publisher ?? 0), timedOut: true), now: now)
    case .none, .completed:
      scheduleTransactionTimer(slot)
    }
  }

  /// Samples in flight and publishers online at the first tick of each second, as the state at
  /// the end of the second before (and at the very end, for the last second).
  private func sample(now: UInt64) {
    let second = (now - min(now, startedAt)) / 1_000_000_000
    guard second > lastSampledSecond || (stopping && !running) else { return }
    let ended = second > lastSampledSecond ? second - 1 : second
    lastSampledSecond = second
    metrics.sample(
      inFlight: publishesInFlight, activePublishers: active, at: startedAt + ended * 1_000_000_000)
    spillFinishedSeconds(before: Int(ended))
  }

  /// Moves the seconds before `second` to the spill file, so the shard's memory does not grow
  /// with the run's length; they come back at the end (``restoreSpilledSeconds()``).
  private func spillFinishedSeconds(before second: Int) {
    guard let spill else { return }
    let taken = metrics.takeFinishedSeconds(before: second)
    for (position, (index, finished)) in taken.enumerated() {
      do {
        try spill.write(index, finished)
      } catch {
        // A full disk, say: everything comes back, and seconds stay in memory from now on.
        metrics.restoreSeconds(Array(taken[position...]))
        restoreSpilledSeconds()
        return
      }
    }
  }

  private func restoreSpilledSeconds() {
    guard let spill else { return }
    self.spill = nil
    if let seconds = try? spill.readAll() { metrics.restoreSeconds(seconds) }
  }

  func flushAll() {
    if !unstamped.isEmpty {
      // Requests on timestamped sockets leave now, at the end of the tick's work: that is their
      // send time (the latency from the actual send starts here).
      let sentAt = NIODeadline.now().uptimeNanoseconds
      for slot in unstamped where transactions[Int(slot)].publisher != nil {
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
      // A wake-up after the run's end would never fire (the stop comes first and stops every
      // publisher): not keeping it saves a heap entry per publisher with long lifetimes.
      guard at != .max, stopping || at <= startedAt + plan.duration else { return }
      timers.insert(
        TimerEntry(
          deadline: at, kind: .publisher, index: Int32(publisher),
          generation: publishers[publisher].timerGeneration))
      scheduleWake(at: at)
    case .leave:
      publishers[publisher].timerGeneration &+= 1
      setOnline(publisher, false)
    }
  }

  /// Counts a publisher in or out of the publishers online (and the peak), once either way.
  private func setOnline(_ publisher: Int, _ online: Bool) {
    guard publishers[publisher].online != online else { return }
    publishers[publisher].online = online
    active += online ? 1 : -1
    peakActive = max(peakActive, active)
  }

  private func allowedByRateCap(now: UInt64) -> Bool {
    rateCap?.take(now: now) ?? true
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
    var connectionIndex = publisher % plan.connectionsPerShard
    let slot = transactions.open(
      TransactionTable.Record(
        publisher: Int32(publisher), operation: request.operation, answersChallenge: request.challenge != nil,
        fault: request.fault,
        intendedAt: request.intendedAt,
        sentAt: now,
        state: ClientTransaction(
          startedAt: now, reliable: connections[connectionIndex].transport != .udp,
          timers: plan.transactionTimers),
        connection: connectionIndex))
    publishers[publisher].cseq &+= 1
    let outgoing = workload.outgoing(request, publisher: publisher)
    let identity = outgoing.identity
    let branch = BranchCode(run: runTag, shard: index, slot: slot, generation: transactions[slot].generation)
    let authorization = digests.authorization(
      for: request, publisher: publisher, identity: identity,
      uri: outgoing.recorded?.requestURI(user: identity.user, domain: identity.domain) ?? "sip:"
        + identity.aor
    ) { String(random.next(), radix: 16) }
    let written = RequestWriter.Outgoing(
      request: request, cseq: outgoing.recorded?.cseq ?? publishers[publisher].cseq, branch: branch,
      body: outgoing.body, authorization: authorization)
    var bytes = transactions.spareBuffer() ?? allocator.buffer(capacity: 640 + outgoing.body.count)
    connections[connectionIndex].write(written, outgoing: outgoing, into: &bytes)
    // RFC 3261 §18.1.1: a request too large for UDP goes over the shard's TCP connection.
    if let limit = plan.tcpAbove, bytes.readableBytes > limit, connections.count > plan.connectionsPerShard,
      connections[connectionIndex].transport == .udp
    {
      connectionIndex = plan.connectionsPerShard
      bytes.clear()
      connections[connectionIndex].write(written, outgoing: outgoing, into: &bytes)
      transactions[slot].connection = connectionIndex
      transactions[slot].state = ClientTransaction(
        startedAt: now, reliable: true, timers: plan.transactionTimers)
      metrics.switchedToTCP = (metrics.switchedToTCP ?? 0) + 1
    }
    let connection = connections[connectionIndex]
    if connection.transport == .udp { transactions[slot].bytes = bytes }
    if let fault = request.fault {
      metrics.recordFaultSent(fault.rawValue)
    } else {
      metrics.recordSend(intendedAt: request.intendedAt, sentAt: now)
    }
    guard connection.write(bytes) else {
      metrics.recordTransportError(at: now)
      transactions.close(slot)
      react(.failed(publisher: publisher, timedOut: false), now: now)
      return
    }
    if connection.datagram != nil { unstamped.append(Int32(slot)) }
    scheduleTransactionTimer(slot)
  }

  /// Sends a watcher's SUBSCRIBE on the watcher's connection (whose address is its Contact, so
  /// the NOTIFYs come back there). Not paced by the rate cap, which is PUBLISH's.
  private func sendSubscribe(_ request: WatcherStateMachine.Request, watcher: Int, now: UInt64) {
    let connectionIndex = watcher % plan.connectionsPerShard
    let connection = connections[connectionIndex]
    let slot = transactions.open(
      TransactionTable.Record(
        publisher: Int32(watcher), watcher: true, intendedAt: request.intendedAt, sentAt: now,
        state: ClientTransaction(
          startedAt: now, reliable: connection.transport != .udp, timers: plan.transactionTimers),
        connection: connectionIndex))
    let outgoing = workload.subscription(request, watcher: watcher)
    let branch = BranchCode(run: runTag, shard: index, slot: slot, generation: transactions[slot].generation)
    var bytes = allocator.buffer(capacity: 512)
    connection.writer.writeSubscribe(request, outgoing, branch: branch, into: &bytes)
    if connection.transport == .udp { transactions[slot].bytes = bytes }
    guard connection.write(bytes) else {
      transactions.close(slot)
      react(.watcherFailed(watcher: watcher, timedOut: false), now: now)
      return
    }
    scheduleTransactionTimer(slot)
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
}

extension Shard: NIOScheduledCallbackHandler {
  /// The wake-up asked for by ``scheduleWake(at:)``: a tick.
  func handleScheduledCallback(eventLoop: some EventLoop) {
    wakeAt = .max
    wake = nil
    onTick()
  }
}
