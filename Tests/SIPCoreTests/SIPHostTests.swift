import SIPCore
import Testing

@Suite("Hosts written the SIP way")
struct SIPHostTests {
  @Test(arguments: [
    ("fd00::2", "[fd00::2]"), ("::1", "[::1]"), ("[fd00::2]", "[fd00::2]"), ("10.0.0.2", "10.0.0.2"),
    ("esc.example.test", "esc.example.test"),
  ])
  func ipv6LiteralsGoInBrackets(host: String, written: String) {
    #expect(SIPHost.text(host) == written)
  }

  @Test func hostPortAndURIsUseIt() throws {
    #expect(HostPort(host: "fd00::2", port: 5060).description == "[fd00::2]:5060")
    #expect(HostPort("[fd00::2]:5060") == HostPort(host: "fd00::2", port: 5060))
    let uri = try SIPURI.parse("sip:alice@[fd00::2]:5070")
    #expect(uri.host == "fd00::2")
    #expect(uri.description == "sip:alice@[fd00::2]:5070")
  }
}
