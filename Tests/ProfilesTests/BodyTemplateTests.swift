import Foundation
import Testing

@testable import Profiles

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The bodies publishers send: RPID rich presence, templates with their variables, and bodies
/// padded to a drawn size, all well-formed where they are XML.
@Suite("Body templates and sizes")
struct BodyTemplateTests {
  static func isWellFormedXML(_ bytes: [UInt8]) -> Bool {
    XMLParser(data: Data(bytes)).parse()
  }

  @Test func rpidCarriesRichPresenceThatChangesWithEachVersion() {
    let first = String(
      decoding: BodyTemplate.rpid.render(aor: "alice@example.com", version: 0), as: UTF8.self)
    let second = String(
      decoding: BodyTemplate.rpid.render(aor: "alice@example.com", version: 1), as: UTF8.self)
    for element in ["<rpid:activities>", "<rpid:mood>", "<rpid:place-type>", "<rpid:privacy>", "<dm:person"] {
      #expect(first.contains(element))
    }
    #expect(first.contains("<rpid:meeting/>") && second.contains("<rpid:on-the-phone/>"))
    #expect(first != second)
    #expect(Self.isWellFormedXML(Array(first.utf8)) && Self.isWellFormedXML(Array(second.utf8)))
  }

  /// Every template's bytes, pinned: bodies are written straight into one array, and must read
  /// as they always did (status, note and marker included).
  @Test func everyTemplateRendersItsPinnedBytes() {
    let aor = "alice@example.com"
    let pidf = String(decoding: BodyTemplate.pidf.render(aor: aor, version: 3, marker: "m-7"), as: UTF8.self)
    #expect(
      pidf == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
        + "entity=\"sip:alice@example.com\"><tuple id=\"t1\"><status><basic>closed</basic></status>"
        + "<note>away v3 m-7</note></tuple></presence>\n")
    let rpid = String(decoding: BodyTemplate.rpid.render(aor: aor, version: 8), as: UTF8.self)
    #expect(
      rpid == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
        + "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" "
        + "entity=\"sip:alice@example.com\">\n<tuple id=\"t1\"><status><basic>open</basic></status>"
        + "<note>available v8</note></tuple>\n<dm:person id=\"p1\"><rpid:activities><rpid:on-the-phone/>"
        + "</rpid:activities><rpid:mood><rpid:bored/></rpid:mood><rpid:place-type><rpid:airport/>"
        + "</rpid:place-type><rpid:privacy><rpid:unknown/></rpid:privacy></dm:person>\n</presence>\n")
    let dialog = String(decoding: BodyTemplate.dialog.render(aor: aor, version: 12), as: UTF8.self)
    #expect(
      dialog == "<?xml version=\"1.0\"?>\n<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" "
        + "version=\"12\" state=\"full\" entity=\"sip:alice@example.com\"><dialog id=\"d1\">"
        + "<state>trying</state></dialog></dialog-info>\n")
    let summary = String(decoding: BodyTemplate.messageSummary.render(aor: aor, version: 7), as: UTF8.self)
    #expect(summary == "Messages-Waiting: no\r\nVoice-Message: 2/0\r\n")
    let text = BodyTemplate.text("{{n}} {x} {note}|{marker}|{user}@{domain} {place}{")
      .render(aor: aor, version: 0, number: -5, marker: "k")
    #expect(String(decoding: text, as: UTF8.self) == "{-5} {x} available v0 k|k|alice@example.com office{")
  }

  @Test func templateVariablesAreFilledPerPublisherAndPerChange() {
    let template = BodyTemplate.text(
      "<n u='{user}' d='{domain}' i='{n}' v='{version}' s='{status}' a='{activity}'/>")
    let text = String(
      decoding: template.render(aor: "bob@example.org", version: 3, number: 42), as: UTF8.self)
    #expect(text == "<n u='bob' d='example.org' i='42' v='3' s='closed' a='away'/>")
  }

  @Test func bodiesArePaddedToTheirSizeAndStayWellFormed() {
    let mix = EventMix(package: "presence", body: .rpid, bodySize: .uniform(1_500, 4_000))
    var sizes: Set<Int> = []
    for version in 0..<20 {
      let body = mix.body(aor: "carol@example.com", number: 7, version: version)
      #expect((1_500...4_000).contains(body.count))
      #expect(Self.isWellFormedXML(body))
      // The same publisher and version give the same size, whatever came before.
      #expect(mix.body(aor: "carol@example.com", number: 7, version: version).count == body.count)
      sizes.insert(body.count)
    }
    #expect(sizes.count > 10, "sizes are drawn, not fixed")
    let fixed = EventMix(package: "presence", bodySize: .fixed(2_000))
    #expect(fixed.body(aor: "d@e", number: 1, version: 0).count == 2_000)
    // A body larger than asked stays as rendered.
    #expect(
      EventMix(package: "presence", bodySize: .fixed(10)).body(aor: "d@e", number: 1, version: 0).count > 10)
  }

  @Test func bodySizeIsReadAndRefusedWhereItCannotApply() throws {
    let profile = try ProfileReaderTests.read(
      "events:\n  - package: presence\n    body: rpid\n    bodySize: {uniform: [1500, 3000]}\n")
    #expect(profile.events[0].bodySize == .uniform(1_500, 3_000))
    #expect(profile.events[0].body == .rpid)
    #expect(throws: ProfileError.self) {
      try ProfileReaderTests.read("events:\n  - package: message-summary\n    bodySize: 2000\n")
    }
    #expect(throws: ProfileError.self) {
      try ProfileReaderTests.read("events:\n  - package: presence\n    bodySize: {uniform: [3000, 100]}\n")
    }
  }
}
