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
  /// Datagrams given up on (a fragment missing, too big, or evicted).
  public private(set) var dropped = 0

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
    if pending[key] == nil {
      expire(before: time)
      if pending.count >= maxPending { evictOldest() }
      pending[key] = Pending(firstSeen: time)
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
    let stale = pending.filter { time > $0.value.firstSeen + timeout }.map(\.key)
    for key in stale { pending[key] = nil }
    dropped += stale.count
  }

  /// Counts everything still incomplete as dropped (end of capture).
  public mutating func finish() {
    dropped += pending.count
    pending.removeAll()
  }

  private mutating func evictOldest() {
    guard let oldest = pending.min(by: { $0.value.firstSeen < $1.value.firstSeen })?.key else { return }
    pending[oldest] = nil
    dropped += 1
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
