import SIPCore

/// Rebuilds one direction of a TCP connection and cuts SIP messages from it: segments in order,
/// out of order, duplicated or retransmitted; a capture that starts mid-stream (or a gap from a
/// lost segment) resynchronises at the next SIP start line. Memory is bounded: at most
/// `maxBuffered` bytes waiting, in order or not.
public struct TCPStreamReassembler: Sendable {
  public let maxBuffered: Int
  private var nextSequence: UInt32?
  /// The sequence number of the SYN that opened the stream, if one was seen.
  private var initialSequence: UInt32?
  private var outOfOrder: [UInt32: [UInt8]] = [:]
  private var outOfOrderBytes = 0
  private var buffer: [UInt8] = []
  private var readIndex = 0
  private var synchronised = false
  private let limits: SIPLimits
  /// Bytes skipped to resynchronise (a partial first message, a gap, garbage).
  public private(set) var skippedBytes = 0
  /// Gaps given up on (a segment never captured).
  public private(set) var gaps = 0

  /// Bytes held: the in-order buffer and the segments waiting for a gap to fill.
  public var heldBytes: Int { buffer.count + outOfOrderBytes }

  public init(maxBuffered: Int = 1 << 20, limits: SIPLimits = .default) {
    self.maxBuffered = maxBuffered
    self.limits = limits
  }

  /// Adds a segment; returns the complete SIP messages (their bytes) it made available.
  public mutating func add(sequence: UInt32, payload: UnsafeRawBufferPointer, syn: Bool) -> [[UInt8]] {
    var found: [[UInt8]] = []
    add(sequence: sequence, payload: payload, syn: syn) { found.append(Array($0)) }
    return found
  }

  /// Adds a segment and hands each complete SIP message it made available to `deliver`, in
  /// order; the bytes are valid only during the call. An in-order segment with nothing buffered
  /// before it (the usual case) is framed where it lies: only a message it leaves unfinished is
  /// copied.
  public mutating func add(
    sequence: UInt32, payload: UnsafeRawBufferPointer, syn: Bool, _ deliver: (UnsafeRawBufferPointer) -> Void
  ) {
    if syn {
      // A SYN sent again (lost SYN-ACK, say) repeats the first one's sequence number and opens
      // nothing new: data already delivered must not be expected a second time.
      if initialSequence == sequence { return }
      // A new SYN is a new connection on the same addresses and ports: start afresh.
      if nextSequence != nil { restart() }
      initialSequence = sequence
      nextSequence = sequence &+ 1
      synchronised = true
      return
    }
    guard !payload.isEmpty else { return }
    guard let expected = nextSequence else {
      nextSequence = sequence &+ UInt32(payload.count)
      take(payload, deliver)
      return
    }
    let distance = Int32(bitPattern: sequence &- expected)
    if distance == 0 {
      nextSequence = expected &+ UInt32(payload.count)
      if outOfOrder.isEmpty {
        take(payload, deliver)
        return
      }
      append(payload)
      drainOutOfOrder()
    } else if distance < 0 {
      let overlap = -Int(distance)
      guard overlap < payload.count else { return }
      append(UnsafeRawBufferPointer(rebasing: payload[overlap...]))
      nextSequence = expected &+ UInt32(payload.count - overlap)
      drainOutOfOrder()
    } else {
      if outOfOrder[sequence] == nil {
        outOfOrder[sequence] = Array(payload)
        outOfOrderBytes += payload.count
      }
      if outOfOrderBytes > maxBuffered { skipGap() }
    }
    deliverBuffered(deliver)
  }

  /// In-order bytes: framed in place when nothing waits before them, else buffered behind it.
  private mutating func take(_ bytes: UnsafeRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void) {
    guard readIndex == buffer.count else {
      append(bytes)
      deliverBuffered(deliver)
      return
    }
    let used = cut(bytes, deliver)
    if used < bytes.count { append(UnsafeRawBufferPointer(rebasing: bytes[used...])) }
  }

  private mutating func restart() {
    outOfOrder = [:]
    outOfOrderBytes = 0
    skippedBytes += buffer.count - readIndex
    buffer = []
    readIndex = 0
  }

  /// Gives up on the missing data: jumps to the earliest waiting segment and resynchronises.
  public mutating func skipGap() {
    guard let (sequence, _) = outOfOrder.min(by: { Int32(bitPattern: $0.key &- $1.key) < 0 }) else { return }
    gaps += 1
    synchronised = false
    nextSequence = sequence
    drainOutOfOrder()
  }

  private mutating func drainOutOfOrder() {
    while let expected = nextSequence, let segment = outOfOrder.removeValue(forKey: expected) {
      outOfOrderBytes -= segment.count
      segment.withUnsafeBytes { append($0) }
      nextSequence = expected &+ UInt32(segment.count)
    }
  }

  private mutating func append(_ bytes: UnsafeRawBufferPointer) {
    if readIndex > 0 && readIndex * 2 >= buffer.count {
      buffer.removeFirst(readIndex)
      readIndex = 0
    }
    buffer.append(contentsOf: bytes)
    if buffer.count - readIndex > maxBuffered {
      skippedBytes += buffer.count - readIndex
      buffer.removeAll()
      readIndex = 0
      synchronised = false
    }
  }

  /// Delivers the whole messages in the buffer.
  private mutating func deliverBuffered(_ deliver: (UnsafeRawBufferPointer) -> Void) {
    guard readIndex < buffer.count else { return }
    let used = buffer.withUnsafeBytes { raw in
      cut(UnsafeRawBufferPointer(rebasing: raw[readIndex...]), deliver)
    }
    readIndex += used
  }

  /// Cuts whole messages from the head of `bytes`, resynchronising where needed; returns how
  /// many bytes were used up (delivered or skipped).
  private mutating func cut(_ bytes: UnsafeRawBufferPointer, _ deliver: (UnsafeRawBufferPointer) -> Void)
    -> Int
  {
    var used = 0
    while used < bytes.count {
      let unread = UnsafeRawBufferPointer(rebasing: bytes[used...])
      switch step(unread) {
      case .notFound(let keep):
        let skip = unread.count - keep
        skippedBytes += skip
        return used + skip
      case .startsAt(let start):
        used += start
        skippedBytes += start
        synchronised = true
      case .needMoreData:
        return used
      case .skip(let count):
        used += count
      case .message(let length):
        deliver(UnsafeRawBufferPointer(rebasing: unread[0..<length]))
        used += length
      case .broken:
        synchronised = false
        used += 1
        skippedBytes += 1
      }
    }
    return used
  }

  /// What the head of the unread bytes holds.
  private func step(_ unread: UnsafeRawBufferPointer) -> Step {
    if !synchronised {
      guard let start = SIPStartLine.next(in: unread, from: 0) else {
        return .notFound(keep: min(unread.count, 1024))
      }
      return .startsAt(start)
    }
    do {
      switch try SIPStreamFramer.frame(unread, limits: limits) {
      case .needMoreData: return .needMoreData
      case .skip(let count): return .skip(count)
      case .message(let length): return .message(length)
      }
    } catch {
      return .broken
    }
  }

  private enum Step {
    case notFound(keep: Int)
    case startsAt(Int)
    case needMoreData
    case skip(Int)
    case message(Int)
    case broken
  }
}
