import Foundation

/// A server host of the tests' own: `scripts/netlab.py` makes a network namespace joined to this
/// one by a veth pair (10.N.0.0/24 and fd00:N::/64; nothing else is ever a target), with
/// Kamailio and a DNS server (dnsmasq, zone pubsim.test with A, AAAA, SRV and NAPTR records)
/// inside it, and deletes all of it in ``down()``. pubsim runs on this side with the lab's
/// hosts file and resolver, in a private mount namespace (`netlab.py exec`), so the machine's
/// own /etc is never touched.
final class NetworkLab {
  struct Description: Decodable {
    var index: Int
    var folder: String
    var serverV4: String
    var serverV6: String
    var sourcesV4: [String]
    var sourcesV6: [String]
    var kamailio: Kamailio

    struct Kamailio: Decodable {
      var ctl: String
    }
  }

  static let script = Interop.repository + "/scripts/netlab.py"

  /// Whether labs can be made here: root, the tools, and a namespace that really comes up (a
  /// container without CAP_SYS_ADMIN refuses it). Checked once. On CI (`CI` set) the tests
  /// always run, so that a machine that cannot make the lab fails rather than skips them.
  static let available: Bool = {
    if ProcessInfo.processInfo.environment["CI"] != nil { return true }
    guard getuid() == 0, Interop.which("ip") != nil, Interop.which("dnsmasq") != nil,
      Interop.peerAvailable("kamailio"), Interop.peerAvailable("kamcmd")
    else { return false }
    let name = "pubsim-probe-\(getpid())"
    guard (try? runProgram("/usr/bin/env", ["ip", "netns", "add", name]))?.status == 0 else { return false }
    _ = try? runProgram("/usr/bin/env", ["ip", "netns", "del", name])
    return true
  }()

  let description: Description
  private var isDown = false

  init() throws {
    let result = try runProgram("/usr/bin/env", ["python3", Self.script, "up"], timeout: 60)
    guard result.status == 0, let data = result.output.data(using: .utf8) else {
      throw InteropError("netlab up failed: \(result.errors)")
    }
    description = try JSONDecoder().decode(Description.self, from: data)
  }

  /// Replaces `{N}` in a test's text with the lab's index.
  func fill(_ text: String) -> String {
    text.replacingOccurrences(of: "{N}", with: String(description.index))
  }

  /// pubsim on this side, resolving names through the lab's hosts file and DNS server.
  func pubsim(_ arguments: [String], timeout: TimeInterval = 120) throws -> FinishedProcess {
    try runProgram(
      "/usr/bin/env",
      ["python3", Self.script, "exec", description.folder, "--", Interop.pubsim.path] + arguments,
      timeout: timeout)
  }

  /// A command started inside the namespace, left running (``down()`` stops it).
  func startInside(_ arguments: [String], output: URL) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", Self.script, "netns-exec", description.folder, "--"] + arguments
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = process.standardOutput
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// The source addresses of every PUBLISH Kamailio received.
  func sources() throws -> [String] {
    let result = try runProgram("/usr/bin/env", ["python3", Self.script, "sources", description.folder])
    return (try? JSONDecoder().decode([String].self, from: Data(result.output.utf8))) ?? []
  }

  /// Users Kamailio holds a presentity for.
  func presentityUsers() throws -> [String] {
    let listing = try runProgram(
      "/usr/sbin/kamcmd", ["-s", description.kamailio.ctl, "presence.presentity_list"])
    return listing.output.split(separator: "\n").compactMap { line in
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      return trimmed.hasPrefix("user: ") ? String(trimmed.dropFirst(6)) : nil
    }
  }

  /// Stops everything the lab and the test started in it, and deletes the namespace.
  func down() {
    guard !isDown else { return }
    isDown = true
    _ = try? runProgram("/usr/bin/env", ["python3", Self.script, "down", description.folder], timeout: 60)
  }

  deinit { down() }
}
