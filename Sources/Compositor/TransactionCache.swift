import NIOCore

/// Remembers recent server transactions so that a retransmitted request gets the same response
/// without being processed twice (RFC 3261 §17.2.2: the response is kept for Timer J, 64*T1 =
/// 32 s on UDP).
///
/// What is kept of a response is only what it adds to its request (``ResponseWriter/Answer``):
/// the retransmitted request brings the Via, From, To, Call-ID and CSeq lines again, and the
/// response is written anew from both. Each generation keeps its answers back to back in one
/// byte array, so an entry costs about a hundred bytes and no allocation of its own.
///
/// Entries live in generations of a quarter of the lifetime; the oldest generation is dropped
/// whole, so expiry costs nothing per entry and an entry lives between `lifetime` and
/// 1.25 × `lifetime`. The cache is also bounded in entries and bytes whatever the request rate:
/// a generation that fills its share (a fifth of either bound) starts the next one early, so
/// under a flood the oldest entries go first and sooner (a retransmission after that is
/// processed again, which RFC 3903's entity-tags make harmless).
struct TransactionCache {
  /// A decided answer, held back by `--delay` or `--stall` until `sendAt`: a retransmission
  /// before then is absorbed, one after gets the response.
  struct Entry {
    var answer: ResponseWriter.Answer
    var sendAt: UInt64
  }

  /// Where an answer's three parts lie in its generation's bytes, one after the other.
  private struct Stored {
    var sendAt: UInt64
    var start: UInt32
    var statusLength: UInt16
    var linesLength: UInt16
    var tagLength: UInt16
  }

  private struct Generation {
    var index: [TransactionKey: UInt32] = [:]
    var stored: [Stored] = []
    var bytes: [UInt8] = []
  }

  private var generations: [Generation]
  private var currentStart: UInt64
  private let generationLength: UInt64
  private let entriesPerGeneration: Int
  private let bytesPerGeneration: Int
  /// Generations started early because the newest one was full.
  private(set) var earlyRotations = 0

  init(lifetime: UInt64, now: UInt64, maxEntries: Int = 2_000_000, maxBytes: Int = 512 << 20) {
    generationLength = max(lifetime / 4, 1)
    generations = Array(repeating: Generation(), count: 5)
    currentStart = now
    entriesPerGeneration = max(maxEntries / 5, 1)
    bytesPerGeneration = max(maxBytes / 5, 1)
  }

  /// Bytes of answers held.
  var bytes: Int { generations.reduce(0) { $0 + $1.bytes.count } }

  var count: Int { generations.reduce(0) { $0 + $1.index.count } }

  mutating func lookup(_ key: TransactionKey, now: UInt64) -> Entry? {
    rotate(now: now)
    for generation in generations.reversed() {
      guard let number = generation.index[key] else { continue }
      let stored = generation.stored[Int(number)]
      var start = Int(stored.start)
      func part(_ length: UInt16) -> ArraySlice<UInt8> {
        defer { start += Int(length) }
        return generation.bytes[start..<start + Int(length)]
      }
      let answer = ResponseWriter.Answer(
        statusLine: Array(part(stored.statusLength)), decisionLines: Array(part(stored.linesLength)),
        toTag: String(decoding: part(stored.tagLength), as: UTF8.self))
      return Entry(answer: answer, sendAt: stored.sendAt)
    }
    return nil
  }

  /// Keeps what `response` (written with `layout`) adds to its request; called after ``lookup``
  /// missed. An answer too long to keep (over 64 KiB in a part) is not kept: its
  /// retransmissions are processed again.
  mutating func record(
    _ key: TransactionKey, response: ByteBuffer, layout: ResponseWriter.Layout, toTag: String, sendAt: UInt64,
    now: UInt64
  ) {
    rotate(now: now)
    let tag = toTag.utf8
    guard let statusLength = UInt16(exactly: layout.statusLine.count),
      let linesLength = UInt16(exactly: layout.decisionLines.count),
      let tagLength = UInt16(exactly: tag.count)
    else { return }
    let cost = layout.statusLine.count + layout.decisionLines.count + tag.count
    let newest = generations.count - 1
    if !generations[newest].index.isEmpty
      && (generations[newest].index.count >= entriesPerGeneration
        || generations[newest].bytes.count + cost > bytesPerGeneration)
    {
      shift(1)
      earlyRotations += 1
    }
    let stored = Stored(
      sendAt: sendAt, start: UInt32(generations[newest].bytes.count), statusLength: statusLength,
      linesLength: linesLength, tagLength: tagLength)
    response.withUnsafeReadableBytes { readable in
      generations[newest].bytes.append(contentsOf: readable[layout.statusLine])
      generations[newest].bytes.append(contentsOf: readable[layout.decisionLines])
    }
    generations[newest].bytes.append(contentsOf: tag)
    generations[newest].index[key] = UInt32(generations[newest].stored.count)
    generations[newest].stored.append(stored)
  }

  private mutating func rotate(now: UInt64) {
    guard now >= currentStart + generationLength else { return }
    let elapsed = (now - currentStart) / generationLength
    shift(Int(min(elapsed, UInt64(generations.count))))
    currentStart += elapsed * generationLength
  }

  /// Drops the oldest `count` generations and opens as many empty ones.
  private mutating func shift(_ count: Int) {
    generations.removeFirst(count)
    generations.append(contentsOf: repeatElement(Generation(), count: count))
  }
}
