import Logging
import Measurements
import NIOCore
import Publication
import SIPCore
import Transport

/// How a shard takes in what its sockets read: responses matched to their transactions by
/// branch, measured from the kernel's receive time, and handed to the workload; requests from
/// the server (a NOTIFY) answered with the workload's status on the same transport.
extension Shard {
  // MARK: Responses

  /// Handles bytes read by SwiftNIO from one of the shard's sockets (a framed TCP message).
  func received(_ bytes: ByteBuffer, connection: Int) {
    let now = NIODeadline.now().uptimeNanoseconds
    bytes.withUnsafeReadableBytes { received($0, at: now, now: now, connection: connection) }
    finishIfDrained(now: now)
  }

  /// Reads every response waiting on the shard's timestamped UDP sockets (on the tick), each
  /// measured at the kernel's receive time.
  func readDatagrams(now: UInt64) {
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
  func received(_ bytes: UnsafeRawBufferPointer, at receivedAt: UInt64, now: UInt64, connection: Int) {
    if !Self.isResponse(bytes) {
      answerIncoming(bytes, receivedAt: receivedAt, now: now, connection: connection)
      return
    }
    guard let response = ResponseSummary(bytes) else {
      // Not a PUBLISH response: a watcher's SUBSCRIBE's, or stray.
      receivedOther(bytes, at: receivedAt, now: now, connection: connection)
      return
    }
    guard let code = BranchCode(UnsafeRawBufferPointer(rebasing: bytes[response.branch])), isOurs(code) else {
      metrics.strayResponses += 1
      return
    }
    let slot = code.slot
    guard transactions.isCurrent(slot, generation: code.generation) else {
      metrics.lateResponses += 1
      return
    }
    // A PUBLISH-looking answer carrying a SUBSCRIBE's branch: a broken server's.
    guard !transactions[slot].watcher else {
      metrics.strayResponses += 1
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
    let record = transactions.close(slot)
    let publisher = Int(record.publisher ?? 0)
    let latency = receivedAt - min(receivedAt, record.sentAt)
    if let fault = record.fault {
      // Counted apart; the publisher reacts as to any such answer.
      metrics.recordFaultAnswer(fault.rawValue, statusCode: status)
      react(.response(publisher: publisher, response, latency: latency), now: now)
      return
    }
    metrics.recordResponse(
      record.operation, statusCode: status, intendedAt: record.intendedAt, sentAt: record.sentAt,
      receivedAt: receivedAt)
    switch status {
    case 200..<300 where record.operation != .remove && response.entityTag == nil:
      metrics.successWithoutEntityTag += 1
    case 412 where record.operation != .remove: metrics.recoveries412 += 1
    case 423: metrics.retries423 += 1
    case 401, 407:
      let usable = response.challenge.flatMap { DigestChallenge($0.value) } != nil
      let refused = record.answersChallenge && response.challenge?.isStale != true
      if !usable || refused {
        metrics.unanswerableChallenges += 1
      } else {
        metrics.authChallenges += 1
      }
    default: break
    }
    react(.response(publisher: publisher, response, latency: latency), now: now)
  }

  /// A response that is not to a PUBLISH: with watchers, read in full (its To tag, Contact and
  /// Expires make the dialog) and matched to a SUBSCRIBE by branch; otherwise stray.
  private func receivedOther(
    _ bytes: UnsafeRawBufferPointer, at receivedAt: UInt64, now: UInt64, connection: Int
  ) {
    guard hasWatchers, let message = try? parser.parse(bytes, framing: connections[connection].framing),
      let response = WatcherStateMachine.Response(message), let branch = message.topViaBranch,
      let code = Array(branch.utf8).withUnsafeBytes({ BranchCode($0) }), isOurs(code)
    else {
      metrics.strayResponses += 1
      return
    }
    let slot = code.slot
    // An answer to a retransmission of a SUBSCRIBE already answered is not a PUBLISH's: not
    // counted with them.
    guard transactions.isCurrent(slot, generation: code.generation), transactions[slot].watcher else {
      return
    }
    guard case .completed = transactions[slot].state.responseReceived(statusCode: response.statusCode) else {
      return
    }
    let record = transactions.close(slot)
    let latency = receivedAt - min(receivedAt, record.sentAt)
    react(.watcherResponse(watcher: Int(record.publisher ?? 0), response, latency: latency), now: now)
  }

  /// Whether a branch names a transaction slot of this run and shard (its generation is checked
  /// by the caller: a stale one is a late answer, not a stray).
  private func isOurs(_ code: BranchCode) -> Bool {
    code.run == runTag && code.shard == index && code.slot < transactions.records.count
  }

  /// Whether a message is a response (`SIP/2.0 ` first); anything else is taken for a request.
  private static func isResponse(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 8 && bytes.prefix(8).elementsEqual("SIP/2.0 ".utf8)
  }

  /// A request from the server (a NOTIFY to a watcher): the workload says the status, and the
  /// answer goes back on the connection it came by. What cannot be parsed is counted as stray.
  private func answerIncoming(
    _ bytes: UnsafeRawBufferPointer, receivedAt: UInt64, now: UInt64, connection: Int
  ) {
    guard let request = try? parser.parse(bytes, framing: connections[connection].framing), request.isRequest
    else {
      metrics.strayResponses += 1
      return
    }
    metrics.incomingRequests += 1
    let status = workload.incoming(request, receivedAt: receivedAt, now: now)
    var answer = allocator.buffer(capacity: 512)
    request.answer(status, toTag: "pubsim-\(runTag)-\(index)").write(into: &answer)
    // Sent with the rest at the end of the tick (UDP) or of the read batch (TCP).
    _ = connections[connection].write(answer)
    performWatcherChanges(now: now)
  }

  /// Flushes after a batch of reads (responses may have triggered new requests).
  func readBatchComplete() {
    flushAll()
  }

  /// A TCP stream that could not be framed as SIP (its connection is then closed): a stray
  /// response, said once a shard at warning level (a broken server would repeat it on every
  /// reconnection), then at debug level.
  func streamWasNotSIP(_ problem: SIPParseError, connection: Int) {
    metrics.strayResponses += 1
    let text = "the server sent what is not SIP on connection \(connection): \(problem.description)"
    let metadata: Logger.Metadata = ["shard": "\(index)"]
    if reportedNonSIP {
      plan.logger.debug("\(text)", metadata: metadata)
    } else {
      reportedNonSIP = true
      plan.logger.warning("\(text)", metadata: metadata)
    }
  }

  /// A TCP connection closed: its outstanding transactions fail now (the publishers back off).
  func connectionClosed(_ connectionIndex: Int) {
    let now = NIODeadline.now().uptimeNanoseconds
    for slot in transactions.open(onConnection: connectionIndex) {
      let record = transactions.close(slot)
      if record.watcher {
        react(.watcherFailed(watcher: Int(record.publisher ?? 0), timedOut: false), now: now)
      } else {
        metrics.recordTransportError(at: now)
        react(.failed(publisher: Int(record.publisher ?? 0), timedOut: false), now: now)
      }
    }
    finishIfDrained(now: now)
  }
}
