import NIOCore
import Publication
import Transport

/// A shard's client transactions in flight (PUBLISH, and watchers' SUBSCRIBE), in reusable slots. A slot's generation changes
/// each time it is reused, and a branch names both (``BranchCode``), so a late response or a
/// stale timer for an earlier transaction in the same slot is told apart from the current one.
/// Pure: no sockets, no clock.
struct TransactionTable {
  struct Record {
    var generation: UInt32 = 0
    /// The publisher (or watcher) the transaction is for; nil while the slot is free.
    var publisher: Int32?
    /// A watcher's SUBSCRIBE rather than a publisher's PUBLISH.
    var watcher = false
    var operation: PublishOperation = .initial
    /// Whether the request answers a challenge (a challenge in return means refused).
    var answersChallenge = false
    /// The fault written into the request, if any (counted apart from normal operations).
    var fault: InjectedFault?
    var intendedAt: UInt64 = 0
    var sentAt: UInt64 = 0
    var state = ClientTransaction(startedAt: 0, reliable: true)
    /// The request, kept over UDP for retransmissions.
    var bytes: ByteBuffer?
    var connection: Int = 0
  }

  private(set) var records: [Record] = []
  private var free: [Int32] = []
  /// Request buffers of closed transactions, for the next requests to be written into: a
  /// buffer's allocation (two: its storage and its bytes) was most of a send's.
  private var spareBuffers: [ByteBuffer] = []
  static let spareBufferLimit = 1_024
  /// Transactions open now, and how many of them are watchers' SUBSCRIBEs.
  private(set) var inFlight = 0
  private(set) var subscribesInFlight = 0

  /// Opens a transaction in a free slot (or a new one); returns the slot.
  mutating func open(_ record: Record) -> Int {
    let slot: Int
    if let reused = free.popLast() {
      slot = Int(reused)
      records[slot] = Record(
        generation: records[slot].generation &+ 1, publisher: record.publisher, watcher: record.watcher,
        operation: record.operation,
        answersChallenge: record.answersChallenge, fault: record.fault,
        intendedAt: record.intendedAt, sentAt: record.sentAt, state: record.state, bytes: record.bytes,
        connection: record.connection)
    } else {
      slot = records.count
      records.append(record)
    }
    inFlight += 1
    if record.watcher { subscribesInFlight += 1 }
    return slot
  }

  /// Whether `slot` holds an open transaction of `generation` (not a stale or free one).
  func isCurrent(_ slot: Int, generation: UInt32) -> Bool {
    slot < records.count && records[slot].generation == generation && records[slot].publisher != nil
  }

  /// A slot's record, read and changed in place: a getter and setter would copy the whole
  /// record (and retain its buffer) for every field a transaction step reads or sets.
  subscript(slot: Int) -> Record {
    _read { yield records[slot] }
    _modify { yield &records[slot] }
  }

  /// Closes the transaction in `slot` and frees the slot; returns what it was.
  @discardableResult
  mutating func close(_ slot: Int) -> Record {
    let record = records[slot]
    records[slot].publisher = nil
    if let bytes = records[slot].bytes, spareBuffers.count < Self.spareBufferLimit {
      spareBuffers.append(bytes)
    }
    records[slot].bytes = nil
    free.append(Int32(slot))
    inFlight -= 1
    if record.watcher { subscribesInFlight -= 1 }
    return record
  }

  /// An emptied buffer a closed transaction sent from, if one is spare.
  mutating func spareBuffer() -> ByteBuffer? {
    guard var bytes = spareBuffers.popLast() else { return nil }
    bytes.clear()
    return bytes
  }

  /// Slots of the transactions open on one connection.
  func open(onConnection connection: Int) -> [Int] {
    records.indices.filter { records[$0].publisher != nil && records[$0].connection == connection }
  }
}
