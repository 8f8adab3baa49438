import CPcap

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A pcap or pcapng file opened through libpcap, read frame by frame with nanosecond
/// timestamps. A file that is not a capture fails to open with a ``CaptureError``; damage later
/// in the file (truncation) ends the reading with a warning, keeping what came before.
public final class CaptureFile {
  public let path: String
  public let linkType: LinkType
  private let handle: OpaquePointer
  /// The stdio buffer libpcap reads through (glibc ignores a size given without one).
  private let readBuffer: UnsafeMutableRawPointer
  /// Frames whose timestamp was out of range (given the previous frame's time), and the first.
  public private(set) var badTimestamps = 0
  private var firstBadTimestamp = 0

  public init(path: String) throws(CaptureError) {
    self.path = path
    let (handle, readBuffer) = try Self.open(path)
    let dlt = pcap_datalink(handle)
    guard let linkType = LinkType(dlt: dlt) else {
      let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "DLT \(dlt)"
      pcap_close(handle)
      readBuffer.deallocate()
      throw CaptureError(
        file: path,
        message:
          "link type \(name) is not supported (Ethernet, Linux cooked v1/v2, BSD loopback and raw IP are)")
    }
    self.handle = handle
    self.readBuffer = readBuffer
    self.linkType = linkType
  }

  deinit {
    pcap_close(handle)
    readBuffer.deallocate()
  }

  /// Opens the file with a 1 MiB stdio buffer before libpcap reads it: with the default 4 KiB
  /// one, reading took one system call per 4 KiB, a fifth of a summary's time on a large capture.
  private static func open(_ path: String) throws(CaptureError) -> (OpaquePointer, UnsafeMutableRawPointer) {
    guard let file = fopen(path, "rb") else {
      throw CaptureError(file: path, message: String(cString: strerror(errno)))
    }
    let size = 1 << 16
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, size)
    var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    guard
      let handle = pcap_fopen_offline_with_tstamp_precision(
        file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer)
    else {
      fclose(file)
      buffer.deallocate()
      let message = String(
        decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw CaptureError(file: path, message: Self.explain(message))
    }
    return (handle, buffer)
  }

  /// How far into the file reading is, 0...1 (nil when unknown).
  func fractionRead(of total: Int64) -> Double? {
    guard total > 0, let file = pcap_file(handle) else { return nil }
    let position = ftello(file)
    return position >= 0 ? min(Double(position) / Double(total), 1) : nil
  }

  /// Calls `body` for every frame, in file order; the bytes are valid only during the call.
  /// Returns a warning when the file ends in damage (for example a truncated last frame).
  /// `progress` is called every 65 536 frames with the fraction of the file read.
  @discardableResult
  public func forEachPacket(progress: ((Double) -> Void)? = nil, _ body: (CapturedPacket) -> Void) -> String?
  {
    var number = 0
    var previous: UInt64 = 0
    let total = progress == nil ? 0 : fileSize()
    while true {
      if let progress, number & 0xFFFF == 0xFFFF, let fraction = fractionRead(of: total) {
        progress(fraction)
      }
      var header: UnsafeMutablePointer<pcap_pkthdr>?
      var data: UnsafePointer<UInt8>?
      let status = pcap_next_ex(handle, &header, &data)
      switch status {
      case 1:
        guard let header, let data else { continue }
        number += 1
        if let time = Self.timestamp(
          seconds: header.pointee.ts.tv_sec, nanoseconds: header.pointee.ts.tv_usec)
        {
          previous = time
        } else {
          if badTimestamps == 0 { firstBadTimestamp = number }
          badTimestamps += 1
        }
        body(
          CapturedPacket(
            number: number, timestamp: previous,
            bytes: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)),
            originalLength: Int(header.pointee.len)))
      case -2:
        return nil
      default:
        let message = Self.explain(String(cString: pcap_geterr(handle)))
        return "\(path): reading stopped after frame \(number): \(message)"
      }
    }
  }

  /// A record's time in nanoseconds since the epoch, or nil when it is not a time a capture can
  /// hold: before 1970, after 2286 (10¹⁰ s, which keeps every sum of times within 64 bits), or a
  /// fraction of a second that is not one. libpcap hands the header over as written.
  static func timestamp(seconds: Int, nanoseconds: Int) -> UInt64? {
    guard (0...10_000_000_000).contains(seconds), (0..<1_000_000_000).contains(nanoseconds) else {
      return nil
    }
    return UInt64(seconds) * 1_000_000_000 + UInt64(nanoseconds)
  }

  /// What to say about frames whose timestamps were out of range, if any.
  public var timestampWarning: String? {
    guard badTimestamps > 0 else { return nil }
    return "\(path): \(badTimestamps) frame(s) had a timestamp out of range (the first: frame "
      + "\(firstBadTimestamp)); each was given the time of the frame before it"
  }

  /// The file's size in bytes (0 when it cannot be read).
  func fileSize() -> Int64 {
    var status = stat()
    return stat(path, &status) == 0 ? Int64(status.st_size) : 0
  }

  private static func explain(_ message: String) -> String {
    if message.contains("unknown file format") || message.contains("bad dump file format")
      || message.contains("file header")
    {
      return "not a pcap or pcapng capture (\(message))"
    }
    if message.contains("different from the type of the first interface") {
      return "pcapng with interfaces of different link types is not supported; split it per interface "
        + "(editcap or tshark) first (\(message))"
    }
    return message
  }
}
