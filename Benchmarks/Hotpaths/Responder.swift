import CDatagram
import Glibc
import NIOCore

/// A UDP socket on loopback that answers every PUBLISH waiting with a 200 carrying the request's
/// Via, Call-ID and CSeq, a batch at a time (`recvmmsg`, `sendmmsg`): the cheapest server a shard tick
/// can be timed against.
final class Responder {
  private let descriptor: Int32
  let address: SocketAddress
  private var inbox: UnsafeMutableRawBufferPointer
  private var outbox: UnsafeMutableRawBufferPointer
  private var received: [pubsim_datagram]
  private var answers: [pubsim_datagram]
  static let batch = 64
  /// What starts each header line copied into an answer.
  static let markers = ["\r\nVia:", "\r\nCall-ID:", "\r\nCSeq:"].map { Array($0.utf8) }
  static let capacity = 2_048

  init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    self.descriptor = descriptor
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &local) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &local) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    address = try SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: local.sin_port)))
    inbox = .allocate(byteCount: Self.batch * Self.capacity, alignment: 16)
    outbox = .allocate(byteCount: Self.batch * Self.capacity, alignment: 16)
    received = Array(repeating: pubsim_datagram(), count: Self.batch)
    answers = Array(repeating: pubsim_datagram(), count: Self.batch)
  }

  deinit {
    close(descriptor)
    inbox.deallocate()
    outbox.deallocate()
  }

  /// Answers every request waiting, sending to `peer` (the shard's socket); returns how many.
  @discardableResult
  func answerAll(to peer: SocketAddress) -> Int {
    var total = 0
    while true {
      for slot in 0..<Self.batch {
        received[slot] = pubsim_datagram(
          bytes: inbox.baseAddress.map { $0 + slot * Self.capacity }, length: Self.capacity, receivedAt: 0)
      }
      let got = Int(pubsim_receive_batch(descriptor, &received, Int32(Self.batch)))
      guard got > 0 else { return total }
      for slot in 0..<got { answers[slot] = answer(slot, length: received[slot].length) }
      peer.withSockAddr { address, length in
        _ = pubsim_send_batch(descriptor, address, socklen_t(length), &answers, Int32(got))
      }
      total += got
      if got < Self.batch { return total }
    }
  }

  /// A 200 to request `slot`: its Via, Call-ID and CSeq lines copied between fixed ones.
  private func answer(_ slot: Int, length: Int) -> pubsim_datagram {
    let request = UnsafeRawBufferPointer(
      rebasing: inbox[slot * Self.capacity..<slot * Self.capacity + length])
    var out = slot * Self.capacity
    func put(_ bytes: UnsafeRawBufferPointer) {
      UnsafeMutableRawBufferPointer(rebasing: outbox[out..<out + bytes.count]).copyMemory(from: bytes)
      out += bytes.count
    }
    func put(_ text: StaticString) {
      put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
    put("SIP/2.0 200 OK\r\n")
    for marker in Self.markers { put(line(marker, in: request)) }
    put("SIP-ETag: a1b2c3d4.18\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n")
    return pubsim_datagram(
      bytes: outbox.baseAddress.map { $0 + slot * Self.capacity }, length: out - slot * Self.capacity,
      receivedAt: 0)
  }

  /// The header line starting after `marker` (its CRLF included, the marker's own CRLF not).
  private func line(_ pattern: [UInt8], in request: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var index = 0
    while index + pattern.count <= request.count {
      if request[index] == pattern[0], request[index..<index + pattern.count].elementsEqual(pattern) {
        var end = index + 2
        while end + 1 < request.count, !(request[end] == 13 && request[end + 1] == 10) { end += 1 }
        return UnsafeRawBufferPointer(rebasing: request[index + 2..<min(end + 2, request.count)])
      }
      index += 1
    }
    return UnsafeRawBufferPointer(start: nil, count: 0)
  }
}
