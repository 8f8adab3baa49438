/// Puts fragmented IPv4 and IPv6 datagrams back together, in any order, within bounds: at most
/// `maxPending` datagrams in progress, each at most 64 KiB, each given `timeout` of capture time
/// to complete. A datagram that never completes is dropped and counted, never half-delivered.
public struct FragmentReassembler: Sendable {
  struct Key: Hashable, Sendable {
    var source: IPAddress
    var destination: IPAddress
    var identification: UInt32
    var transportProtocol: UInt8
  }

  struct Pending: Sendable {
    var pieces: [Int: [UInt8]] = [:]
    var totalLength: Int?
    var bytes = 0
    var firstSeen: UInt64
  }

  public let maxPending: Int
  public let timeout: UInt64
  private var pending: [Key: Pending] = [:]
  /// Datagrams in the order they started (entries whose datagram has since completed or been
  /// dropped are skipped when met), so expiry and eviction take the oldest without a search.
  private var order: [(key: Key, firstSeen: UInt64)] = []
  private var orderHead = 0
  /// Datagrams given up on (a fragment missing, too big, timed out, or evicted).
  public private(set) var dropped = 0

  /// Datagrams in progress.
  public var pendingCount: Int { pending.count }

  public init(maxPending: Int = 4096, timeout: UInt64 = 30_000_000_000) {
    self.maxPending = maxPending
    self.timeout = timeout
  }

  /// Adds a fragment; returns the whole datagram's payload when this fragment completes it.
  public mutating func add(_ datagram: IPDatagram, payload: UnsafeRawBufferPointer, at time: UInt64)
    -> [UInt8]?
  {
    guard let fragment = datagram.fragment else { return Array(payload) }
    let key = Key(
      source: datagram.source, destination: datagram.destination, identification: fragment.identification,
      transportProtocol: datagram.transportProtocol)
    if let stale = pending[key], time > stale.firstSeen + timeout {
      // The datagram this fragment belongs to ran out of time: what came before is given up.
      pending[key] = nil
      dropped += 1
    }
    if pending[key] == nil {
      expire(before: time)
      if pending.count >= maxPending { evictOldest() }
      pending[key] = Pending(firstSeen: time)
      remember(key, firstSeen: time)
    }
    guard var entry = pending[key] else { return nil }
    let end = fragment.offset + payload.count
    guard end <= 65_535, entry.bytes + payload.count <= 2 * 65_535 else {
      pending[key] = nil
      dropped += 1
      return nil
    }
    if entry.pieces[fragment.offset] == nil { entry.bytes += payload.count }
    entry.pieces[fragment.offset] = Array(payload)
    if !fragment.moreFragments { entry.totalLength = end }
    pending[key] = entry
    guard let total = entry.totalLength, let whole = Self.assemble(entry.pieces, total: total) else {
      return nil
    }
    pending[key] = nil
    return whole
  }

  /// Drops datagrams older than the timeout; call with the capture's clock.
  public mutating func expire(before time: UInt64) {
    while let oldest = oldestLive(), time > oldest.firstSeen + timeout {
      pending[oldest.key] = nil
      orderHead += 1
      dropped += 1
    }
  }

  /// Counts everything still incomplete as dropped (end of capture).
  public mutating func finish() {
    dropped += pending.count
    pending.removeAll()
    order.removeAll()
    orderHead = 0
  }

  private mutating func evictOldest() {
    guard let oldest = oldestLive() else { return }
    pending[oldest.key] = nil
    orderHead += 1
    dropped += 1
  }

  /// The oldest datagram still in progress, at `order[orderHead]` (stale entries passed over).
  private mutating func oldestLive() -> (key: Key, firstSeen: UInt64)? {
    while orderHead < order.count {
      let entry = order[orderHead]
      if pending[entry.key]?.firstSeen == entry.firstSeen { return entry }
      orderHead += 1
    }
    return nil
  }

  private mutating func remember(_ key: Key, firstSeen: UInt64) {
    if orderHead > 1024 && orderHead * 2 > order.count {
      order.removeFirst(orderHead)
      orderHead = 0
    }
    order.append((key, firstSeen))
  }

  private static func assemble(_ pieces: [Int: [UInt8]], total: Int) -> [UInt8]? {
    var whole = [UInt8](repeating: 0, count: total)
    var covered = 0
    for offset in pieces.keys.sorted() {
      guard offset <= covered, let piece = pieces[offset] else { return nil }
      let end = min(offset + piece.count, total)
      if end > covered {
        whole.replaceSubrange(covered..<end, with: piece[(covered - offset)..<(end - offset)])
        covered = end
      }
    }
    return covered == total ? whole : nil
  }
}
