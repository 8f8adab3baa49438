import ArgumentParser
import Logging
import NIOConcurrencyHelpers

/// `--log-level`: diagnostics (how a target was found, connections lost and remade, requests the
/// compositor refused and why, signals) through swift-log on standard error. Quiet by default;
/// progress lines and results are printed whatever the level.
struct LogOptions: ParsableArguments {
  @Option(
    name: .customLong("log-level"),
    help: ArgumentHelp(
      "Diagnostics on standard error: trace, debug, info, notice, warning, error or critical.",
      valueName: "LEVEL"),
    transform: LogOptions.level)
  var level: Logger.Level = .warning

  static func level(_ text: String) throws -> Logger.Level {
    guard let level = Logger.Level(rawValue: text.lowercased()) else {
      throw ValidationError(
        "'\(text)' is not a log level (trace, debug, info, notice, warning, error or critical)")
    }
    return level
  }

  /// pubsim's logger for `component`, at the chosen level (swift-log is set up once per process,
  /// to write to standard error).
  func logger(_ component: String) -> Logger {
    Self.bootstrapOnce.withLockedValue { done in
      guard !done else { return }
      LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
      done = true
    }
    var logger = Logger(label: "pubsim.\(component)")
    logger.logLevel = level
    return logger
  }

  private static let bootstrapOnce = NIOLockedValueBox(false)
}
