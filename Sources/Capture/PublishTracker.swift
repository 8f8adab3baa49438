import Publication
import SIPCore

/// Builds the PUBLISH picture of a capture from its SIP messages, in time order: transactions
/// keyed by top Via branch and CSeq (retransmissions folded in and counted), final responses
/// matched (provisional ones ignored), each transaction classified by RFC 3903's table, and
/// entity-tag chains linking each publication's life. Pure: no I/O.
///
/// Keys, entity-tags and event packages are held as fingerprints and small indices, not
/// strings, so that millions of messages go through quickly; the request bytes (and the
/// entity-tags a trace needs) are kept only when asked for (`keepsRequests`).
///
/// Memory stays bounded however long the capture: without `keepsRequests` (a summary),
/// transactions older than ``retention`` of capture time (twice Timer F: nothing of theirs can
/// still arrive) are folded into ``retired`` and forgotten; and entity-tags are forgotten once
/// superseded, removed, or past the lifetime the server granted.
public struct PublishTracker: Sendable {
  /// One PUBLISH transaction as recorded.
  ///
  /// Its fields are laid out largest first, and the final status and time kept without
  /// optionals' padding: 144 bytes rather than 184, for a list that holds every transaction of
  /// the last 64 s (a million and more in a large capture).
  public struct Transaction: Sendable {
    /// The request as first sent (bytes as captured); empty unless the tracker keeps requests.
    public var requestBytes: [UInt8]
    public var firstSeen: UInt64
    /// When the final response came (meaningful once ``finalStatus`` is set).
    fileprivate var answeredAt: UInt64 = 0
    public var source: SIPEndpointAddress
    public var destination: SIPEndpointAddress
    /// SIP-ETag of a 2xx (kept with the requests) and its Expires.
    public var issuedTag: String?
    /// Its key (top Via branch, Call-ID, CSeq), fingerprinted.
    var key: ByteFingerprint
    /// The SIP-If-Match it sent, fingerprinted.
    var usedTag: ByteFingerprint?
    public var operation: PublishOperation?
    /// The final response's status code; 0 while there is none.
    fileprivate var status: UInt16 = 0
    public var retransmissions: Int32 = 0
    /// Position in ``PublishTracker/eventPackages`` (-1: no Event header).
    public var eventIndex: Int32
    /// The publication's life this transaction belongs to.
    public var chain: Int32
    public var grantedExpires: UInt32?

    /// The final response's status code (nil while none came).
    public var finalStatus: Int? {
      status == 0 ? nil : Int(status)
    }

    /// When the final response came (nil while none did).
    public var finalAt: UInt64? {
      status == 0 ? nil : answeredAt
    }

    /// Records the final response: a status code from 100 to 999, as a status line holds.
    mutating func answer(_ statusCode: Int, at time: UInt64) {
      status = UInt16(clamping: max(statusCode, 1))
      answeredAt = time
    }

    /// Latency as recorded: first request to final response.
    public var latency: UInt64? { finalAt.map { $0 > firstSeen ? $0 - firstSeen : 0 } }

    /// The request, parsed (nil when the tracker did not keep it).
    public var request: SIPMessage? { requestBytes.isEmpty ? nil : try? SIPParser().parse(requestBytes) }
  }

  /// A transaction: top Via branch, Call-ID and CSeq number, fingerprinted.
  typealias Key = ByteFingerprint

  /// Where an entity-tag leads, and until when (capture time) it can still be used.
  struct ChainEntry {
    var chain: Int32
    var usableUntil: UInt64
  }

  /// How long a transaction is kept for its retransmissions and responses, in capture time.
  public static let retention: UInt64 = 64_000_000_000
  /// Kept beyond a granted lifetime before an entity-tag is forgotten (clock skew, late refreshes).
  static let tagGrace: UInt64 = 60_000_000_000

  public let keepsRequests: Bool
  /// The transactions not yet retired, in order of their first request (all of them when the
  /// tracker keeps requests).
  public var transactions: ArraySlice<Transaction> { stored[head...] }
  /// Transactions retired from ``transactions`` (only without `keepsRequests`).
  public private(set) var retired = PublishTotals()
  private var stored: [Transaction] = []
  private var head = 0
  private var lastTagSweep: UInt64 = 0
  /// Event packages seen, lower case, in order of first appearance.
  public private(set) var eventPackages: [String] = []
  private var eventIndex: [ByteFingerprint: Int32] = [:]
  /// The spelling the last request's Event had, and its index: a capture's requests mostly name
  /// one package, and comparing its few bytes costs less than a fingerprint and a lookup.
  private var lastEvent: (spelling: [UInt8], index: Int32) = ([], -1)
  /// Transaction number (counted from the first, retired ones included) by key.
  private var index: [Key: Int] = [:]
  private var chainByTag: [ByteFingerprint: ChainEntry] = [:]
  private var chainCount: Int32 = 0
  public private(set) var sipMessages = 0
  public private(set) var publishRequestMessages = 0
  public private(set) var publishResponseMessages = 0
  public private(set) var unmatchedResponses = 0
  public private(set) var retransmittedResponses = 0

  public init(keepsRequests: Bool = true) {
    self.keepsRequests = keepsRequests
  }

  /// Makes room, from the size of the captures, for the transactions they may hold, so that the
  /// tables are not grown (copied whole, onto new pages) as they fill. A transaction takes
  /// 800 bytes of capture or more (request and response with their headers, 920 in pubsim's
  /// own): the list is given room for that many, which costs address space until it is filled.
  /// The index, whose entries land anywhere in its table (so that its room is memory), is given
  /// room for half as many; its table (a power of two, at most three quarters full) often holds
  /// more before it grows, and growing it once costs less than a copy of the list. Without a
  /// trace, transactions older than ``retention`` leave both, so the index's room is bounded.
  public mutating func reserveCapacity(captureBytes: Int) {
    let most = min(captureBytes / 800, 4_000_000)
    stored.reserveCapacity(most)
    index.reserveCapacity(keepsRequests ? most / 2 : min(most / 2, 1 << 20))
  }

  /// A SIP message that is not part of the PUBLISH picture (or could not be read).
  public mutating func countOtherMessage() {
    sipMessages += 1
  }

  /// A PUBLISH request or response, read by ``PublishScan/fields(_:)``, with its bytes.
  public mutating func add(
    _ fields: PublishScan.Fields, bytes: UnsafeRawBufferPointer, at time: UInt64,
    from source: SIPEndpointAddress,
    to destination: SIPEndpointAddress
  ) {
    sipMessages += 1
    var fingerprint = ByteFingerprint(bytes, fields.branch ?? 0..<0)
    fingerprint.add(bytes, fields.callID)
    fingerprint.add(fields.sequence)
    let key = fingerprint
    if !keepsRequests { retire(before: time) }
    switch fields.kind {
    case .request:
      guard fields.isPublishRequest(in: bytes) else { return }
      publishRequestMessages += 1
      addRequest(fields, bytes: bytes, key: key, at: time, from: source, to: destination)
    case .response(let status):
      publishResponseMessages += 1
      addResponse(fields, bytes: bytes, status: status, key: key, at: time)
    }
  }

  private mutating func addRequest(
    _ fields: PublishScan.Fields, bytes: UnsafeRawBufferPointer, key: Key, at time: UInt64,
    from source: SIPEndpointAddress, to destination: SIPEndpointAddress
  ) {
    // Entered at once (one probe of a table that misses the cache): a retransmission finds the
    // transaction already there and puts it back.
    let number = retired.transactions + stored.count - head
    if let existing = index.updateValue(number, forKey: key) {
      index[key] = existing
      stored[position(of: existing)].retransmissions += 1
      return
    }
    let chain: Int32
    let usedTag = fields.ifMatch.map { ByteFingerprint(bytes, $0) }
    if let usedTag, let known = chainByTag[usedTag] {
      chain = known.chain
    } else {
      chainCount += 1
      chain = chainCount
    }
    stored.append(
      Transaction(
        requestBytes: keepsRequests ? Array(bytes) : [], firstSeen: time, source: source,
        destination: destination, key: key, usedTag: usedTag,
        operation: PublishOperation.classify(
          hasBody: fields.hasBody, hasIfMatch: fields.ifMatch != nil, expires: fields.expires),
        eventIndex: fields.event.map { event(bytes, $0) } ?? -1, chain: chain))
  }

  private mutating func addResponse(
    _ fields: PublishScan.Fields, bytes: UnsafeRawBufferPointer, status: Int, key: Key, at time: UInt64
  ) {
    guard status >= 200 else { return }
    guard let found = index[key] else {
      unmatchedResponses += 1
      return
    }
    let position = position(of: found)
    guard stored[position].finalStatus == nil else {
      retransmittedResponses += 1
      return
    }
    stored[position].answer(status, at: time)
    guard (200..<300).contains(status) else { return }
    stored[position].grantedExpires = fields.expires
    // The tag the request named is superseded (or removed) now; the new one leads on.
    if let used = stored[position].usedTag { chainByTag[used] = nil }
    guard let tag = fields.entityTag else { return }
    if keepsRequests { stored[position].issuedTag = PublishScan.text(bytes, tag) }
    if stored[position].operation != .remove {
      let lifetime = UInt64(fields.expires ?? 3600) * 1_000_000_000
      chainByTag[ByteFingerprint(bytes, tag)] = ChainEntry(
        chain: stored[position].chain, usableUntil: time + lifetime + Self.tagGrace)
    }
  }

  /// Where transaction number `number` (counted from the first, retired ones included) is stored.
  private func position(of number: Int) -> Int {
    number - retired.transactions + head
  }

  /// Folds transactions older than ``retention`` into ``retired``, and now and then forgets
  /// entity-tags past their lifetime.
  private mutating func retire(before time: UInt64) {
    while head < stored.count, stored[head].firstSeen + Self.retention < time {
      retired.add(stored[head])
      index[stored[head].key] = nil
      head += 1
    }
    if head > 4096 && head * 2 > stored.count {
      stored.removeFirst(head)
      head = 0
    }
    if time > lastTagSweep + Self.retention {
      lastTagSweep = time
      chainByTag = chainByTag.filter { $0.value.usableUntil >= time }
    }
  }

  /// The index of an event package, adding it when new. Spellings are remembered as written
  /// (no string made for a known one); different cases of one package share its index.
  private mutating func event(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int32 {
    let spelling = UnsafeRawBufferPointer(rebasing: bytes[range])
    if lastEvent.index >= 0, lastEvent.spelling.withUnsafeBytes({ ByteSearch.equals($0, spelling) }) {
      return lastEvent.index
    }
    let fingerprint = ByteFingerprint(bytes, range)
    let index = eventIndex[fingerprint] ?? addEvent(PublishScan.lowercased(bytes, range), fingerprint)
    lastEvent.spelling.removeAll(keepingCapacity: true)
    lastEvent.spelling.append(contentsOf: spelling)
    lastEvent.index = index
    return index
  }

  /// A spelling not seen before: its package's index (a new one for a new package).
  private mutating func addEvent(_ name: String, _ fingerprint: ByteFingerprint) -> Int32 {
    let index: Int32
    if let existing = eventPackages.firstIndex(of: name) {
      index = Int32(existing)
    } else {
      eventPackages.append(name)
      index = Int32(eventPackages.count - 1)
    }
    eventIndex[fingerprint] = index
    return index
  }

  /// The event package of a transaction, nil when its request had no Event header.
  public func event(of transaction: Transaction) -> String? {
    transaction.eventIndex >= 0 ? eventPackages[Int(transaction.eventIndex)] : nil
  }

  /// Entity-tags remembered (for the bounds tests).
  var rememberedTags: Int { chainByTag.count }

  /// Distinct publication lives seen.
  public var chains: Int { Int(chainCount) }
}
