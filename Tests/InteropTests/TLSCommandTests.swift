import Foundation
import Testing

/// `sips:` end to end: the compositor presents a certificate made here with openssl, and `run`
/// and `replay` reach it over TLS, trusting it with --tls-ca, and refuse it without.
@Suite("TLS targets on the command line", .serialized)
struct TLSCommandTests {
  /// A self-signed certificate (by default for 127.0.0.1 and localhost), and its key.
  static func makeCertificate(
    in folder: URL, subject: String = "localhost", alternativeNames: String = "IP:127.0.0.1,DNS:localhost"
  ) throws -> (certificate: String, key: String) {
    let certificate = folder.appendingPathComponent("cert.pem").path
    let key = folder.appendingPathComponent("key.pem").path
    let result = try runProgram(
      try #require(Interop.which("openssl"), "openssl is not installed"),
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
        "-subj", "/CN=\(subject)", "-addext", "subjectAltName=\(alternativeNames)",
      ], timeout: 60)
    try #require(result.status == 0, "openssl: \(result.errors)")
    return (certificate, key)
  }

  @Test(.enabled(if: Interop.peerAvailable("openssl")))
  func runAndReplayReachACompositorOverTLS() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pubsim-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (certificate, key) = try Self.makeCertificate(in: folder)
    let compositor = try CompositorProcess([
      "--listen", "sips:127.0.0.1:0", "--tls-cert", certificate, "--tls-key", key,
    ])
    let target = "sips:127.0.0.1:\(compositor.tlsPort)"

    let run = try runProgram(
      Interop.pubsim.path,
      [
        "run", RunCommandTests.quickstart, "--target", target, "--tls-ca", certificate, "--publishers", "40",
        "--duration", "2s", "--cleanup",
      ], timeout: 60)
    #expect(run.status == 0, "\(run.errors)")
    let responses = run.output.split(separator: "\n").first { $0.hasPrefix("responses:") } ?? ""
    let onlyOK = responses.hasPrefix("responses: 200=") && responses.split(separator: " ").count == 2
    #expect(onlyOK, "only 200s: \(run.output)")
    #expect(run.output.contains("publications left live 0"), "the cleanup went through: \(run.output)")

    let replay = try runProgram(
      Interop.pubsim.path,
      ["replay", ReplayCommandTests.lifecycle, "--target", target, "--tls-ca", certificate, "--speed", "10"],
      timeout: 120)
    #expect(replay.status == 0, "\(replay.errors)")
    #expect(replay.output.contains("fidelity: 400 of 400"), "\(replay.output)")

    let untrusted = try runProgram(
      Interop.pubsim.path, ["run", RunCommandTests.quickstart, "--target", target, "--duration", "2s"],
      timeout: 60)
    #expect(untrusted.status == 1)
    #expect(untrusted.errors.contains("certificate is not trusted (--tls-ca FILE"), "\(untrusted.errors)")

    let stopped = compositor.stop()
    #expect(
      stopped.output.contains("(tls)") && stopped.output.contains("requests PUBLISH="), "\(stopped.output)")
  }
}
