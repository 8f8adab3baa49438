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
