import CPcap
import Foundation

/// Records a run's own traffic to a pcap file while it runs: every datagram and TCP segment
/// between this machine and the target, as the kernel saw them (real addresses, ports and kernel
/// timestamps), captured with libpcap on all interfaces ("any") through a filter for the
/// target's address and port, and written with libpcap's dump API. Unlike a log of what the
/// tool meant to send, it shows retransmissions, TCP segmentation and ICMP errors as they were.
///
/// Bounded when asked: a ring of files of at most `fileBytes` each (like tcpdump's -C and -W),
/// the oldest overwritten. Capturing needs CAP_NET_RAW (root, or `setcap`). The capture runs on
/// a thread of its own; ``stop()`` drains what the kernel holds and closes the files.
public final class TrafficRecorder: @unchecked Sendable {
  /// What was recorded, for the report.
  public struct Result: Sendable, Equatable {
    /// The files in time order (oldest first).
    public var files: [String]
    public var packets: Int
    /// Packets the kernel dropped before libpcap read them (its buffer was full).
    public var dropped: Int
  }

  public struct Ring: Sendable, Equatable {
    public var fileBytes: Int
    public var files: Int

    public init(fileBytes: Int, files: Int) {
      self.fileBytes = fileBytes
      self.files = files
    }
  }

  public enum RecorderError: Error, CustomStringConvertible {
    case cannotCapture(String)
    case cannotWrite(String, String)

    public var description: String {
      switch self {
      case .cannotCapture(let reason): return "cannot capture: \(reason)"
      case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
      }
    }
  }

  private let handle: OpaquePointer
  private let path: String
  private let ring: Ring?
  private var dumper: OpaquePointer?
  /// Bytes in the current file, and which file of the ring it is.
  private var fileBytes = 0
  private var fileIndex = 0
  private var filesWritten = 0
  private var packets = 0
  private var writeError: String?
  private let stopped = DispatchSemaphore(value: 0)
  private let stopping = StopFlag()

  /// Opens the capture and the first file. `filter` is a BPF expression (see ``filter(host:port:)``).
  public init(path: String, filter: String, ring: Ring? = nil) throws(RecorderError) {
    self.path = path
    self.ring = ring
    var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
    guard let handle = pcap_create("any", &errorBuffer) else {
      throw .cannotCapture(
        String(decoding: errorBuffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
    }
    self.handle = handle
    pcap_set_snaplen(handle, 65_535)
    pcap_set_immediate_mode(handle, 1)
    // Room for bursts: at 100 000 packets/s of ~700 bytes, about half a second.
    pcap_set_buffer_size(handle, 32 << 20)
    pcap_set_timeout(handle, 100)
    let status = pcap_activate(handle)
    if status < 0 {
      let reason = Self.activationProblem(status, detail: String(cString: pcap_geterr(handle)))
      pcap_close(handle)
      throw .cannotCapture(reason)
    }
    var program = bpf_program()
    guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
      let reason = String(cString: pcap_geterr(handle))
      pcap_close(handle)
      throw .cannotCapture("filter '\(filter)': \(reason)")
    }
    defer { pcap_freecode(&program) }
    guard pcap_setfilter(handle, &program) == 0 else {
      let reason = String(cString: pcap_geterr(handle))
      pcap_close(handle)
      throw .cannotCapture(reason)
    }
    do {
      try openFile()
    } catch {
      pcap_close(handle)
      throw error
    }
  }

  /// What a failed activation means to the user.
  static func activationProblem(_ status: Int32, detail: String) -> String {
    switch status {
    case PCAP_ERROR_PERM_DENIED:
      return "permission denied (capturing needs CAP_NET_RAW and CAP_NET_ADMIN: run as root, or "
        + "setcap cap_net_raw,cap_net_admin=eip on pubsim): \(detail)"
    default: return detail.isEmpty ? "libpcap error \(status)" : detail
    }
  }

  /// The BPF filter for traffic with a target: its address and port, in both directions, and
  /// ICMP errors about it.
  public static func filter(host: String, port: Int) -> String {
    let family = host.contains(":") ? "icmp6" : "icmp"
    return "(host \(host) and port \(port)) or (\(family) and host \(host))"
  }

  /// Starts capturing on a thread of its own.
  public func start() {
    let thread = Thread { [self] in
      while !stopping.isSet {
        let read = capture()
        if read == PCAP_ERROR {
          // Kept for stop(): the recording ended early and must not pass for whole.
          writeError = writeError ?? "capture failed: " + String(cString: pcap_geterr(handle))
        }
        if read < 0 { break }
      }
      stopped.signal()
    }
    thread.name = "pubsim-pcap"
    thread.start()
  }

  /// Stops: takes what the kernel still holds, closes the files and says what was recorded.
  public func stop() throws(RecorderError) -> Result {
    stopping.set()
    pcap_breakloop(handle)
    stopped.wait()
    var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
    pcap_setnonblock(handle, 1, &errorBuffer)
    // Drain what the kernel holds. The break asked for above may still be pending (the thread
    // saw the flag first): the read that reports it is not the end.
    for _ in 0..<100_000 {
      let read = capture()
      if read == PCAP_ERROR_BREAK { continue }
      if read <= 0 { break }
    }
    var statistics = pcap_stat()
    let dropped = pcap_stats(handle, &statistics) == 0 ? Int(statistics.ps_drop) : 0
    // A full disk shows only when the buffered writes are flushed.
    if let dumper, pcap_dump_flush(dumper) != 0 {
      writeError = writeError ?? "writing failed: " + String(cString: strerror(errno))
    }
    if let dumper { pcap_dump_close(dumper) }
    dumper = nil
    pcap_close(handle)
    if let writeError { throw .cannotWrite(path, writeError) }
    return Result(files: filesInOrder, packets: packets, dropped: dropped)
  }

  /// One read of what the kernel has: packets read, or -1 when the capture failed or was broken off.
  private func capture() -> Int32 {
    pcap_dispatch(
      handle, -1,
      { user, header, bytes in
        guard let user, let header, let bytes else { return }
        Unmanaged<TrafficRecorder>.fromOpaque(user).takeUnretainedValue().write(header, bytes)
      }, Unmanaged.passUnretained(self).toOpaque().assumingMemoryBound(to: UInt8.self))
  }

  private func write(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
    let size = 16 + Int(header.pointee.caplen)
    // After a failure nothing more is written (the error is reported at the stop).
    guard writeError == nil else { return }
    if let ring, fileBytes > 24, fileBytes + size > ring.fileBytes {
      do {
        try openFile()
      } catch {
        writeError = error.description
        return
      }
    }
    guard let dumper else { return }
    pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), header, bytes)
    fileBytes += size
    packets += 1
  }

  /// Opens the next file of the ring (or the one file), closing the one before.
  private func openFile() throws(RecorderError) {
    if let dumper { pcap_dump_close(dumper) }
    dumper = nil
    if filesWritten > 0, let ring { fileIndex = (fileIndex + 1) % ring.files }
    let name = fileName(fileIndex)
    guard let opened = pcap_dump_open(handle, name) else {
      // libpcap's message starts with the path already.
      let reason = String(cString: pcap_geterr(handle))
      throw .cannotWrite(
        name, reason.hasPrefix(name + ": ") ? String(reason.dropFirst(name.count + 2)) : reason)
    }
    dumper = opened
    fileBytes = 24
    filesWritten += 1
  }

  /// The ring's file `index`: `own.pcap` → `own-0.pcap`; without a ring, the path itself.
  func fileName(_ index: Int) -> String {
    Self.ringFileName(path, index: ring == nil ? nil : index)
  }

  public static func ringFileName(_ path: String, index: Int?) -> String {
    guard let index else { return path }
    let nameStart = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
    if let dot = path[nameStart...].lastIndex(of: "."), dot > nameStart {
      return path[..<dot] + "-\(index)" + path[dot...]
    }
    return path + "-\(index)"
  }

  /// The files written, oldest first.
  private var filesInOrder: [String] {
    guard let ring else { return [path] }
    let count = min(filesWritten, ring.files)
    let oldest = filesWritten > ring.files ? (fileIndex + 1) % ring.files : 0
    return (0..<count).map { fileName((oldest + $0) % ring.files) }
  }
}

/// Set by ``TrafficRecorder/stop()``, read by the capture thread.
private final class StopFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  var isSet: Bool { lock.withLock { value } }
  func set() { lock.withLock { value = true } }
}
