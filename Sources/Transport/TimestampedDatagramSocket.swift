import CDatagram
import NIOCore

#if canImport(Glibc)
  import Glibc
#endif

/// A client UDP socket driven by the load engine's clock rather than by readiness: requests are
/// queued and sent in one `sendmmsg` per tick, and responses are read in batches with
/// `recvmmsg`, each with the kernel's receive time (`SO_TIMESTAMPNS`). Reading on the tick
/// instead of waking for every response is what makes a moderate load cheap (one wake-up per
/// millisecond, not one per response), and the kernel's timestamps keep latency exact to the
/// microsecond however late in the tick a response is read.
///
/// Not thread-safe: one shard's loop owns it.
public final class TimestampedDatagramSocket {
  public struct SocketError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var description: String { "\(call): \(String(cString: strerror(code)))" }
  }

  /// Datagrams per system call, and the largest response read.
  static let batch = 64
  static let datagramCapacity = 8192

  private let descriptor: Int32
  private var target: sockaddr_storage
  private let targetLength: socklen_t
  /// Queued requests, back to back, and where each ends.
  private var queued: [UInt8] = []
  private var queuedEnds: [Int] = []
  private let receiveArena: UnsafeMutableRawBufferPointer
  /// Descriptors for `sendmmsg` and for `recvmmsg`, apart: a handler of a received datagram may
  /// flush (and so send) while the rest of its batch is still being read.
  private var sendDescriptors: [pubsim_datagram]
  private var receiveDescriptors: [pubsim_datagram]
  /// The port the socket was given.
  public private(set) var localPort = 0

  /// A socket bound to `localHost` on a free port, sending to `target`.
  public init(target: SocketAddress, localHost: String) throws {
    let family = target.protocol == .inet6 ? AF_INET6 : AF_INET
    descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard descriptor >= 0 else { throw SocketError(call: "socket", code: errno) }
    var storage = sockaddr_storage()
    var length = socklen_t(0)
    target.withSockAddr { address, size in
      withUnsafeMutableBytes(of: &storage) {
        $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: size))
      }
      length = socklen_t(size)
    }
    self.target = storage
    targetLength = length
    receiveArena = .allocate(byteCount: Self.batch * Self.datagramCapacity, alignment: 16)
    sendDescriptors = Array(repeating: pubsim_datagram(), count: Self.batch)
    receiveDescriptors = sendDescriptors
    do {
      try configure(localHost: localHost)
    } catch {
      Glibc.close(descriptor)
      receiveArena.deallocate()
      throw error
    }
  }

  deinit {
    close()
    receiveArena.deallocate()
  }

  private func configure(localHost: String) throws {
    let failure = pubsim_enable_receive_timestamps(descriptor)
    guard failure == 0 else { throw SocketError(call: "setsockopt(SO_TIMESTAMPNS)", code: failure) }
    var bufferSize: Int32 = 4 << 20
    let size = socklen_t(MemoryLayout<Int32>.size)
    _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &bufferSize, size)
    _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &bufferSize, size)
    let local = try SocketAddress(ipAddress: localHost, port: 0)
    let bound = local.withSockAddr { bind(descriptor, $0, socklen_t($1)) }
    guard bound == 0 else { throw SocketError(call: "bind", code: errno) }
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    // The port sits in the same place in sockaddr_in and sockaddr_in6, in network order.
    localPort = withUnsafeBytes(of: &storage) { Int(UInt16($0[2]) << 8 | UInt16($0[3])) }
  }

  /// Queues a request for the next ``flush()``.
  public func enqueue(_ bytes: ByteBuffer) {
    bytes.withUnsafeReadableBytes { queued.append(contentsOf: $0) }
    queuedEnds.append(queued.count)
  }

  /// Sends everything queued, `batch` datagrams per `sendmmsg`. What the kernel refuses (its
  /// buffer full) is lost like a datagram on the wire, and Timer E resends it.
  public func flush() {
    guard !queuedEnds.isEmpty else { return }
    queued.withUnsafeMutableBytes { bytes in
      withUnsafeMutablePointer(to: &target) { storage in
        storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
          var index = 0
          while index < queuedEnds.count {
            let count = min(Self.batch, queuedEnds.count - index)
            for slot in 0..<count {
              let start = index + slot == 0 ? 0 : queuedEnds[index + slot - 1]
              sendDescriptors[slot] = pubsim_datagram(
                bytes: bytes.baseAddress.map { $0 + start }, length: queuedEnds[index + slot] - start,
                receivedAt: 0)
            }
            _ = pubsim_send_batch(descriptor, address, targetLength, &sendDescriptors, Int32(count))
            index += count
          }
        }
      }
    }
    queued.removeAll(keepingCapacity: true)
    queuedEnds.removeAll(keepingCapacity: true)
  }

  /// Reads every datagram waiting, calling `handle` with its bytes and the kernel's receive
  /// time (CLOCK_REALTIME nanoseconds; 0 when the kernel gave none). Returns how many were read.
  @discardableResult
  public func receive(_ handle: (UnsafeRawBufferPointer, UInt64) -> Void) -> Int {
    var total = 0
    while true {
      for slot in 0..<Self.batch {
        receiveDescriptors[slot] = pubsim_datagram(
          bytes: receiveArena.baseAddress.map { $0 + slot * Self.datagramCapacity },
          length: Self.datagramCapacity,
          receivedAt: 0)
      }
      let got = Int(pubsim_receive_batch(descriptor, &receiveDescriptors, Int32(Self.batch)))
      guard got > 0 else { return total }
      for slot in 0..<got {
        let bytes = UnsafeRawBufferPointer(
          start: receiveArena.baseAddress.map { $0 + slot * Self.datagramCapacity },
          count: min(receiveDescriptors[slot].length, Self.datagramCapacity))
        handle(bytes, receiveDescriptors[slot].receivedAt)
      }
      total += got
      if got < Self.batch { return total }
    }
  }

  private var isClosed = false

  /// Closes the socket (again is a no-op; the socket also closes when released).
  public func close() {
    guard !isClosed else { return }
    isClosed = true
    Glibc.close(descriptor)
  }

  /// Now on the clock kernel receive timestamps use (CLOCK_REALTIME), in nanoseconds.
  public static func wallClockNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
  }
}
