import ArgumentParser
import Reports

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `pubsim` command: replay, simulate and measure SIP PUBLISH load against an Event State
/// Compositor.
struct PubSim: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pubsim",
    abstract: "Load-test SIP presence servers (RFC 3903 PUBLISH): simulate, replay, measure.",
    discussion: """
      Without a target, pubsim talks to its embedded compositor on loopback, so every command \
      works on a fresh machine.
      """,
    version: PubSimVersion.current,
    subcommands: [
      RunCommand.self, ReplayCommand.self, ExtractCommand.self, ReportCommand.self, CompositorCommand.self,
      ProbeCommand.self,
    ]
  )
}

/// Runs the command line. Errors become one line on standard error (`pubsim: ...`) and a
/// non-zero exit; `--help` and `--version` print as usual.
@main
enum PubSimMain {
  static func main() async {
    do {
      var command = try PubSim.parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch let error as CommandError {
      StandardOutput.error("pubsim: \(error.description.split(separator: "\n").joined(separator: "; "))")
      exit(error.exitCode)
    } catch let exitCode as ExitCode {
      // The command has already said what happened (a failed threshold, a run with no answers).
      exit(exitCode.rawValue)
    } catch {
      let exitCode = PubSim.exitCode(for: error)
      if exitCode == .success || exitCode.rawValue == 0 {
        PubSim.exit(withError: error)
      }
      var message = PubSim.message(for: error)
      if message.isEmpty { message = String(describing: error) }
      let hint = exitCode == .validationFailure ? " (see --help)" : ""
      StandardOutput.error("pubsim: \(message.split(separator: "\n").joined(separator: "; "))\(hint)")
      exit(exitCode.rawValue)
    }
  }
}
