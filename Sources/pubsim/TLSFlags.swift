import ArgumentParser
import Transport

/// The certificate flags of `run` and `replay`, for a `sips:` target.
struct TLSFlags: ParsableArguments {
  @Option(
    name: .customLong("tls-ca"),
    help: ArgumentHelp(
      "PEM certificates to trust for a sips: target, besides the system's.", valueName: "file"))
  var caFile: String?

  @Flag(
    name: .customLong("tls-insecure"),
    help: "Accept any certificate from a sips: target (a test server's self-signed one).")
  var insecure = false

  var options: TLSClientOptions { TLSClientOptions(caFile: caFile, verifiesPeer: !insecure) }
}
