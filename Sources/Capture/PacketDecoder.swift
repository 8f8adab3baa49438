import SIPCore

/// Turns captured frames into SIP messages with their addresses and times: link layer, IP
/// (fragments reassembled), UDP datagrams and reassembled TCP streams, SIP found by content on
/// any port. Feeds a ``PublishTracker``. Pure apart from the frames it is handed.
public struct PacketDecoder {
  struct FlowKey: Hashable {
    var source: SIPEndpointAddress
    var destination: SIPEndpointAddress
  }

  /// A stream's reassembler in a box of its own, so that the messages it delivers can reach the
  /// tracker while it is being changed (a struct inside the dictionary could not lend them).
  final class Stream {
    var reassembler = TCPStreamReassembler()
  }

  public private(set) var tracker: PublishTracker
  public private(set) var packets = 0
  public private(set) var undecodable = 0
  /// Frames captured shorter than they were (snapshot length): their SIP may be incomplete.
  public private(set) var cutFrames = 0
  private var fragments = FragmentReassembler()
  private var streams: [FlowKey: Stream] = [:]
  private var streamOrder: [FlowKey] = []
  private var streamOrderHead = 0
  public let maxStreams: Int

  /// TCP directions being reassembled.
  var openStreams: Int { streams.count }

  /// - Parameter keepsRequests: keep every PUBLISH request's bytes (for a trace).
  public init(maxStreams: Int = 65_536, keepsRequests: Bool = true) {
    self.maxStreams = maxStreams
    tracker = PublishTracker(keepsRequests: keepsRequests)
  }

  /// Makes room for the PUBLISH transactions captures of `captureBytes` may hold.
  public mutating func reserveCapacity(captureBytes: Int) {
    tracker.reserveCapacity(captureBytes: captureBytes)
  }

  /// Decodes one frame of a capture with the given link type.
  /// SIP messages are read with ``PublishScan``: only PUBLISH requests and responses enter the
  /// picture; every SIP message is counted.
  public mutating func add(_ packet: CapturedPacket, linkType: LinkType) {
    packets += 1
    if packet.originalLength > packet.bytes.count { cutFrames += 1 }
    guard let (network, offset) = LinkLayerDecoder.network(in: packet.bytes, linkType: linkType),
      let datagram = IPDatagram.decode(packet.bytes, at: offset, network: network)
    else {
      undecodable += 1
      return
    }
    let payload = UnsafeRawBufferPointer(rebasing: packet.bytes[datagram.payload])
    if datagram.fragment != nil {
      guard let whole = fragments.add(datagram, payload: payload, at: packet.timestamp) else { return }
      whole.withUnsafeBytes { transport(datagram, $0, packet: packet) }
    } else {
      transport(datagram, payload, packet: packet)
    }
  }

  private mutating func transport(
    _ datagram: IPDatagram, _ payload: UnsafeRawBufferPointer, packet: CapturedPacket
  ) {
    switch datagram.transportProtocol {
    case 17: udp(datagram, payload, packet: packet)
    case 6: tcp(datagram, payload, packet: packet)
    default: break
    }
  }

  private mutating func udp(_ datagram: IPDatagram, _ segment: UnsafeRawBufferPointer, packet: CapturedPacket)
  {
    guard segment.count >= 8 else {
      undecodable += 1
      return
    }
    let length = Int(segment[4]) << 8 | Int(segment[5])
    let end = length >= 8 ? min(length, segment.count) : segment.count
    let body = UnsafeRawBufferPointer(rebasing: segment[8..<end])
    guard SIPStartLine.begins(body) else { return }
    let source = SIPEndpointAddress(address: datagram.source, port: port(segment, 0), isTCP: false)
    let destination = SIPEndpointAddress(address: datagram.destination, port: port(segment, 2), isTCP: false)
    deliver(body, framing: .datagram, at: packet, from: source, to: destination)
  }

  private mutating func tcp(_ datagram: IPDatagram, _ segment: UnsafeRawBufferPointer, packet: CapturedPacket)
  {
    guard segment.count >= 20 else {
      undecodable += 1
      return
    }
    let headerLength = Int(segment[12] >> 4) * 4
    guard headerLength >= 20, headerLength <= segment.count else {
      undecodable += 1
      return
    }
    let flags = segment[13]
    let sequence =
      UInt32(segment[4]) << 24 | UInt32(segment[5]) << 16 | UInt32(segment[6]) << 8 | UInt32(segment[7])
    let key = FlowKey(
      source: SIPEndpointAddress(address: datagram.source, port: port(segment, 0), isTCP: true),
      destination: SIPEndpointAddress(address: datagram.destination, port: port(segment, 2), isTCP: true))
    if flags & 0x04 != 0 {
      streams[key] = nil
      return
    }
    let payload = UnsafeRawBufferPointer(rebasing: segment[headerLength...])
    let syn = flags & 0x02 != 0
    guard let stream = streams[key] ?? open(key, syn: syn, payload: payload) else { return }
    stream.reassembler.add(sequence: sequence, payload: payload, syn: syn) {
      deliver($0, framing: .stream, at: packet, from: key.source, to: key.destination)
    }
  }

  /// A new stream for a SYN or a first segment with data (a capture may start mid-stream).
  private mutating func open(_ key: FlowKey, syn: Bool, payload: UnsafeRawBufferPointer) -> Stream? {
    guard syn || !payload.isEmpty else { return nil }
    if streams.count >= maxStreams { evictOldestStream() }
    let stream = Stream()
    streams[key] = stream
    streamOrder.append(key)
    if streamOrder.count - streamOrderHead > 2 * maxStreams || streamOrderHead > maxStreams {
      streamOrder = streamOrder[streamOrderHead...].filter { streams[$0] != nil }
      streamOrderHead = 0
    }
    return stream
  }

  /// Forgets the stream opened longest ago that is still open (streams closed by RST leave
  /// stale entries in the order, skipped here and pruned when the order grows).
  private mutating func evictOldestStream() {
    while streamOrderHead < streamOrder.count {
      let oldest = streamOrder[streamOrderHead]
      streamOrderHead += 1
      if streams.removeValue(forKey: oldest) != nil { return }
    }
  }

  private mutating func deliver(
    _ bytes: UnsafeRawBufferPointer, framing: SIPFraming, at packet: CapturedPacket,
    from source: SIPEndpointAddress,
    to destination: SIPEndpointAddress
  ) {
    var fields = PublishScan.Fields()
    guard PublishScan.read(bytes, into: &fields) else {
      tracker.countOtherMessage()
      return
    }
    tracker.add(fields, bytes: bytes, at: packet.timestamp, from: source, to: destination)
  }

  private func port(_ segment: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
    UInt16(segment[offset]) << 8 | UInt16(segment[offset + 1])
  }

  /// Ends the capture: incomplete fragments and stream gaps are counted; returns warnings.
  public mutating func finish() -> [String] {
    fragments.finish()
    var warnings: [String] = []
    if fragments.dropped > 0 {
      warnings.append("\(fragments.dropped) IP datagrams dropped: a fragment was missing or they timed out")
    }
    let gaps = streams.values.reduce(0) { $0 + $1.reassembler.gaps }
    if gaps > 0 {
      warnings.append("\(gaps) TCP gaps (segments missing from the capture); resynchronised after each")
    }
    if cutFrames > 0 {
      warnings.append(
        "\(cutFrames) frames were captured shorter than they were (snapshot length); their SIP may be missing"
      )
    }
    return warnings
  }
}
