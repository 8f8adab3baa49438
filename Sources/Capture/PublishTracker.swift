import Publication
import SIPCore

/// Builds the PUBLISH picture of a capture from its SIP messages, in time order: transactions
/// keyed by top Via branch and CSeq (retransmissions folded in and counted), final responses
/// matched (provisional ones ignored), each transaction classified by RFC 3903's table, and
/// entity-tag chains linking each publication's life. Pure: no I/O.
public struct PublishTracker: Sendable {
  /// One PUBLISH transaction as recorded.
  public struct Transaction: Sendable {
    /// The request as first sent (bytes as captured).
    public var requestBytes: [UInt8]
    public var firstSeen: UInt64
    public var source: SIPEndpointAddress
    public var destination: SIPEndpointAddress
    public var retransmissions = 0
    public var operation: PublishOperation?
    public var event: String?
    public var resource: String
    public var ifMatch: String?
    public var finalStatus: Int?
    public var finalAt: UInt64?
    /// SIP-ETag and Expires of a 2xx.
    public var issuedTag: String?
    public var grantedExpires: UInt32?
    /// The publication's life this transaction belongs to.
    public var chain: Int
    /// Latency as recorded: first request to final response.
    public var latency: UInt64? { finalAt.map { $0 > firstSeen ? $0 - firstSeen : 0 } }

    /// The request, parsed.
    public var request: SIPMessage? { try? SIPParser().parse(requestBytes) }
  }

  struct Key: Hashable, Sendable {
    var branch: String
    var callID: String
    var sequence: UInt32
  }

  public private(set) var transactions: [Transaction] = []
  private var index: [Key: Int] = [:]
  private var chainByTag: [String: Int] = [:]
  private var chainCount = 0
  public private(set) var sipMessages = 0
  public private(set) var publishRequestMessages = 0
  public private(set) var publishResponseMessages = 0
  public private(set) var unmatchedResponses = 0
  public private(set) var retransmittedResponses = 0

  public init() {}

  /// A SIP message that is not part of the PUBLISH picture (or could not be read).
  public mutating func countOtherMessage() {
    sipMessages += 1
  }

  /// A PUBLISH request or response, read by ``PublishScan``, with its bytes.
  public mutating func add(
    _ scan: PublishScan, bytes: UnsafeRawBufferPointer, at time: UInt64, from source: SIPEndpointAddress,
    to destination: SIPEndpointAddress
  ) {
    sipMessages += 1
    let key = Key(branch: scan.branch, callID: scan.callID, sequence: scan.sequence)
    switch scan.kind {
    case .request(let method, let uri):
      guard method == "PUBLISH" else { return }
      publishRequestMessages += 1
      addRequest(scan, uri: uri, bytes: bytes, key: key, at: time, from: source, to: destination)
    case .response(let status):
      publishResponseMessages += 1
      addResponse(scan, status: status, key: key, at: time)
    }
  }

  private mutating func addRequest(
    _ scan: PublishScan, uri: String, bytes: UnsafeRawBufferPointer, key: Key, at time: UInt64,
    from source: SIPEndpointAddress, to destination: SIPEndpointAddress
  ) {
    if let existing = index[key] {
      transactions[existing].retransmissions += 1
      return
    }
    let chain: Int
    if let tag = scan.ifMatch, let known = chainByTag[tag] {
      chain = known
    } else {
      chainCount += 1
      chain = chainCount
    }
    index[key] = transactions.count
    transactions.append(
      Transaction(
        requestBytes: Array(bytes), firstSeen: time, source: source, destination: destination,
        operation: scan.operation, event: scan.event, resource: SIPURI(uri)?.addressOfRecord ?? uri,
        ifMatch: scan.ifMatch, chain: chain))
  }

  private mutating func addResponse(_ scan: PublishScan, status: Int, key: Key, at time: UInt64) {
    guard status >= 200 else { return }
    guard let position = index[key] else {
      unmatchedResponses += 1
      return
    }
    guard transactions[position].finalStatus == nil else {
      retransmittedResponses += 1
      return
    }
    transactions[position].finalStatus = status
    transactions[position].finalAt = time
    guard (200..<300).contains(status) else { return }
    transactions[position].issuedTag = scan.entityTag
    transactions[position].grantedExpires = scan.expires
    if let tag = scan.entityTag, transactions[position].operation != .remove {
      chainByTag[tag] = transactions[position].chain
    }
  }

  /// Distinct publication lives seen.
  public var chains: Int { chainCount }
}
