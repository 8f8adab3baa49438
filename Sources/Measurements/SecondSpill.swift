import Foundation

/// Finished seconds of a run's time series kept in a temporary file rather than in memory, so
/// that a shard's memory stays flat however long the run (a second's histogram is a few
/// hundred bytes to a few kilobytes; a day holds 86 400 of them). The file is unlinked as soon
/// as it is made: it disappears with the process, whatever way it ends.
public final class SecondSpill {
  private let handle: FileHandle
  /// Bytes written, read back whole at the end.
  public private(set) var size = 0

  /// A spill in the system's temporary folder; nil when none can be made (the seconds then stay
  /// in memory).
  public init?() {
    var template = Array((NSTemporaryDirectory() + "/pubsim-seconds-XXXXXX").utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard descriptor >= 0 else { return nil }
    _ = template.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { unlink($0) } }
    handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
  }

  /// Appends one finished second.
  public func write(_ index: Int, _ second: TimeSeries.Second) throws {
    let record = try JSONEncoder().encode(Record(index: index, second: second))
    var length = UInt32(record.count).bigEndian
    var bytes = Data(bytes: &length, count: 4)
    bytes.append(record)
    try handle.write(contentsOf: bytes)
    size += bytes.count
  }

  /// Every second written, in order.
  public func readAll() throws -> [(index: Int, second: TimeSeries.Second)] {
    try handle.seek(toOffset: 0)
    let data = try handle.readToEnd() ?? Data()
    var records: [(index: Int, second: TimeSeries.Second)] = []
    var offset = data.startIndex
    let decoder = JSONDecoder()
    while offset + 4 <= data.endIndex {
      let length = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
      offset += 4
      guard offset + length <= data.endIndex else { break }
      let record = try decoder.decode(Record.self, from: data[offset..<offset + length])
      records.append((record.index, record.second))
      offset += length
    }
    try handle.seekToEnd()
    return records
  }

  private struct Record: Codable {
    var index: Int
    var second: TimeSeries.Second
  }
}
