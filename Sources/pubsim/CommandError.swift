/// What the command line reports in one line without pointing at `--help`: the flags were fine,
/// a file, the network or the target was not.
enum CommandError: Error, CustomStringConvertible {
  /// A file that cannot be read or written, or does not hold what it should; an address that
  /// cannot be listened on. Exit 64, as for a bad flag.
  case input(String)
  /// The run could not go on (the target refused the connection, say). Exit 1, as when not a
  /// single transaction completed.
  case run(String)

  var description: String {
    switch self {
    case .input(let message), .run(let message): message
    }
  }

  var exitCode: Int32 {
    switch self {
    case .input: 64
    case .run: 1
    }
  }
}
