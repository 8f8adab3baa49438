import Foundation
import Testing

/// What a user sees at the command line: one clear line for a mistake, a summary on stop.
@Suite("pubsim compositor on the command line", .serialized)
struct CommandLineTests {
  @Test(arguments: [
    (["compositor", "--frobnicate"], "Unknown option '--frobnicate'"),
    (
      ["compositor", "--listen", "sip:esc!.example.test"],
      "--listen 'sip:esc!.example.test': host 'esc!.example.test' is neither an IP address nor a host name"
    ),
    (["compositor", "--listen", "http://127.0.0.1"], "must start with sip: or sips:"),
    (["compositor", "--listen", "sip:127.0.0.1;transport=sctp"], "unknown transport 'sctp'"),
    (["compositor", "--drop", "2"], "--drop 2.0 must be between 0 and 1"),
    (["compositor", "--fail", "503"], "--fail '503': expected P:CODE"),
    (["compositor", "--delay", "soon"], "--delay 'soon'"),
    (["compositor", "--notify-drop", "2"], "--notify-drop 2.0 must be between 0 and 1"),
    (["compositor", "--notify-delay", "soon"], "--notify-delay 'soon'"),
    // Files written at the end are checked before the run.
    (
      ["run", Interop.repository + "/profiles/quickstart.yaml", "--hdr-log", "/nonexistent/h.hlog"],
      "no folder"
    ),
    (
      ["run", Interop.repository + "/profiles/quickstart.yaml", "--pcap-max", "1MB"],
      "--pcap-max needs --pcap"
    ),
    (["replay", "x.pcap", "--tcp-above", "100"], "--tcp-above must be 200 to 65000 bytes"),
    (["extract", "x.pcap", "--tolerance", "5%"], "--tolerance needs --compare"),
    (["extract", "x.pcap", "--compare", "y.pcap", "--tolerance", "lots"], "not a percentage such as 10%"),
  ])
  func mistakesGiveOneClearLine(arguments: [String], message: String) throws {
    let result = try runProgram(Interop.pubsim.path, arguments, timeout: 20)
    #expect(result.status == 64)
    #expect(result.output.isEmpty)
    let lines = result.errors.split(separator: "\n")
    #expect(lines.count == 1, "\(result.errors)")
    #expect(result.errors.hasPrefix("pubsim: "))
    #expect(result.errors.contains(message), "\(result.errors)")
  }

  /// Over UDP too: the compositor's loops share their port (SO_REUSEPORT), which must not let a
  /// second compositor quietly take half of the first one's traffic.
  @Test(arguments: ["tcp", "udp"])
  func portAlreadyInUseIsOneLine(transport: String) throws {
    let first = try CompositorProcess()
    defer { _ = first.stop() }
    let port = transport == "tcp" ? first.tcpPort : first.udpPort
    let result = try runProgram(
      Interop.pubsim.path, ["compositor", "--listen", "sip:127.0.0.1:\(port);transport=\(transport)"],
      timeout: 20)
    #expect(result.status != 0)
    #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
    #expect(result.errors.contains("cannot listen"), "\(result.errors)")
  }

  @Test(arguments: [SIGTERM, SIGINT])
  func signalPrintsTheSummaryAndExitsZero(signal: Int32) throws {
    let compositor = try CompositorProcess()
    let stopped = compositor.stop(signal: signal)
    #expect(stopped.status == 0)
    #expect(stopped.output.contains("pubsim compositor: requests none; responses none; live publications 0"))
  }
}
