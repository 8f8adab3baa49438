import Foundation
import Testing

/// The embedded compositor driven by a real SIPp client: every step of thousands of publisher
/// life cycles must get 200 with a SIP-ETag, and the failure paths their codes.
@Suite("SIPp against pubsim compositor", .serialized, .enabled(if: Interop.peerAvailable("sipp")))
struct SIPpInteropTests {
  @Test func thousandsOfCyclesOverUDP() throws {
    let compositor = try CompositorProcess()
    let sipp = try runSIPp(scenario: "publish-cycle.xml", port: compositor.udpPort, calls: 3000, rate: 300)
    let stopped = compositor.stop()
    #expect(sipp.status == 0, "SIPp: \(sipp.errors)")
    #expect(stopped.status == 0)
    #expect(stopped.output.contains("requests PUBLISH=12000;"), "\(stopped.output)")
    #expect(stopped.output.contains("responses 200=12000;"), "\(stopped.output)")
    #expect(stopped.output.contains("live publications 0"), "\(stopped.output)")
  }

  @Test func thousandsOfCyclesOverOneTCPConnection() throws {
    let compositor = try CompositorProcess()
    let sipp = try runSIPp(
      scenario: "publish-cycle.xml", port: compositor.tcpPort, transport: "t1", calls: 2000, rate: 300)
    let stopped = compositor.stop()
    #expect(sipp.status == 0, "SIPp: \(sipp.errors)")
    #expect(stopped.output.contains("responses 200=8000;"), "\(stopped.output)")
    #expect(stopped.output.contains("live publications 0"), "\(stopped.output)")
  }

  @Test func cyclesOverATCPConnectionPerPublisher() throws {
    let compositor = try CompositorProcess()
    let sipp = try runSIPp(
      scenario: "publish-cycle.xml", port: compositor.tcpPort, transport: "tn", calls: 300, rate: 100,
      extra: ["-max_socket", "1000"])
    let stopped = compositor.stop()
    #expect(sipp.status == 0, "SIPp: \(sipp.errors)")
    #expect(stopped.output.contains("responses 200=1200;"), "\(stopped.output)")
  }

  @Test(arguments: ["u1", "t1"])
  func failurePathsGetTheirCodes(transport: String) throws {
    let compositor = try CompositorProcess()
    let port = transport == "u1" ? compositor.udpPort : compositor.tcpPort
    let sipp = try runSIPp(
      scenario: "publish-errors.xml", port: port, transport: transport, calls: 200, rate: 100)
    let stopped = compositor.stop()
    #expect(sipp.status == 0, "SIPp: \(sipp.errors)")
    #expect(
      stopped.output.contains("responses 200=400 400=400 412=400 415=200 423=200 489=200;"),
      "\(stopped.output)")
    #expect(stopped.output.contains("live publications 0"), "\(stopped.output)")
  }

  @Test func lostRequestsAreRecoveredByRetransmission() throws {
    let compositor = try CompositorProcess(["--drop", "0.1"])
    let sipp = try runSIPp(scenario: "publish-cycle.xml", port: compositor.udpPort, calls: 200, rate: 100)
    let stopped = compositor.stop()
    #expect(sipp.status == 0, "SIPp: \(sipp.errors)")
    #expect(stopped.output.contains("dropped"), "\(stopped.output)")
    #expect(stopped.output.contains("responses 200=800;"), "each PUBLISH processed once: \(stopped.output)")
  }
}
