import Foundation

/// Writes and reads trace files (JSON Lines): what `pubsim extract -o` writes and `pubsim replay`
/// reads.
public enum TraceCodec {
  public struct FormatError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
  }

  /// A trace as JSON Lines: the header, then one record per line.
  public static func encode(_ header: TraceHeader, _ records: [TraceRecord]) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(header)
    data.append(10)
    for record in records {
      data.append(try encoder.encode(record))
      data.append(10)
    }
    return data
  }

  /// Reads a trace; a newer format version or a damaged line is a ``FormatError`` naming the line.
  public static func decode(_ data: Data, file: String) throws(FormatError) -> (TraceHeader, [TraceRecord]) {
    let lines = data.split(separator: 10, omittingEmptySubsequences: true)
    guard let first = lines.first,
      let header = try? JSONDecoder().decode(TraceHeader.self, from: Data(first)),
      header.format == "pubsim-trace"
    else { throw FormatError(file: file, message: "not a pubsim trace (no pubsim-trace header on line 1)") }
    guard header.version <= TraceHeader.currentVersion else {
      throw FormatError(
        file: file,
        message: "trace format version \(header.version) is newer than this pubsim reads "
          + "(\(TraceHeader.currentVersion)); use a newer pubsim")
    }
    var records: [TraceRecord] = []
    records.reserveCapacity(lines.count - 1)
    let decoder = JSONDecoder()
    for (offset, line) in lines.dropFirst().enumerated() {
      guard let record = try? decoder.decode(TraceRecord.self, from: Data(line)) else {
        throw FormatError(file: file, message: "line \(offset + 2) is not a trace record")
      }
      if let problem = record.implausibility {
        throw FormatError(file: file, message: "line \(offset + 2): \(problem)")
      }
      records.append(record)
    }
    return (header, records)
  }
}
