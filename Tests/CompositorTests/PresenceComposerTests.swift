import Foundation
import FoundationXML
import Publication
import Testing

@testable import Compositor

/// What watchers are told: the union of live publications' PIDF children under one root.
@Suite struct PresenceComposerTests {
  /// baresip's and linphone's bodies (captures/*-kamailio.pcap), shortened.
  static let baresip = """
    <?xml version="1.0" encoding="UTF-8" standalone="no"?>
    <presence xmlns="urn:ietf:params:xml:ns:pidf"
        xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
        xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
        entity="sip:alice@127.0.0.1:5070">
      <dm:person id="p4159"><rpid:activities/></dm:person>
      <tuple id="t4109"><status><basic>open</basic></status></tuple>
    </presence>
    """
  static let linphone = """
    <?xml version="1.0" encoding="UTF-8"?>
    <presence xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
    xmlns:pidfonline="http://www.linphone.org/xsds/pidfonline.xsd" entity="sip:alice@127.0.0.1" \
    xmlns="urn:ietf:params:xml:ns:pidf">
     <tuple id="bzmf1s"><status><basic>open</basic><pidfonline:online/></status>\
    <note>pubsim:7</note></tuple>
    </presence>
    """

  static func publication(_ tag: String, _ body: String, event: String = "presence", expiresAt: UInt64 = 100)
    -> StoredPublication
  {
    StoredPublication(
      entityTag: tag, resource: "alice@example.com", event: event, contentType: "application/pidf+xml",
      body: Array(body.utf8), expiresAt: expiresAt)
  }

  /// Whether the text is well-formed XML with namespaces, by Foundation's parser.
  static func isWellFormed(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    parser.shouldProcessNamespaces = true
    return parser.parse()
  }

  @Test func twoClientsPublicationsComposeIntoOneDocument() throws {
    let document = try #require(
      PresenceComposer.compose(
        [Self.publication("b", Self.linphone), Self.publication("a", Self.baresip)],
        resource: "alice@example.com",
        event: "presence"))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(document.contentType == "application/pidf+xml")
    #expect(Self.isWellFormed(text), "\(text)")
    #expect(text.contains("entity=\"sip:alice@example.com\""))
    // Newest first (here equal lifetimes: the later entity-tag): linphone's, then baresip's.
    let first = try #require(text.range(of: "<tuple id=\"bzmf1s\">"))
    let second = try #require(text.range(of: "<tuple id=\"t4109\">"))
    #expect(first.lowerBound < second.lowerBound)
    #expect(text.contains("<dm:person id=\"p4159\"><rpid:activities/></dm:person>"))
    #expect(text.contains("<note>pubsim:7</note>"), "a marker in a tuple survives")
    for prefix in ["xmlns:dm=", "xmlns:rpid=", "xmlns:pidfonline="] {
      #expect(text.components(separatedBy: prefix).count == 2, "\(prefix) declared once")
    }
  }

  /// Two publications of the same tuple (a client that published again without its tag):
  /// the newer one is told, once, so that ids stay unique.
  @Test func aTuplePublishedTwiceIsToldOnceInItsNewestForm() throws {
    let older = Self.publication(
      "a",
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t1\"><note>old</note></tuple>"
        + "<!-- c --><tuple id='t2'/></presence>", expiresAt: 10)
    let newer = Self.publication(
      "b",
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t1\"><note>new</note></tuple></presence>",
      expiresAt: 20)
    let document = try #require(PresenceComposer.compose([older, newer], resource: "a@b", event: "presence"))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(Self.isWellFormed(text), "\(text)")
    #expect(text.contains("<note>new</note>"))
    #expect(!text.contains("<note>old</note>"))
    #expect(text.contains("<tuple id='t2'/>"))
  }

  @Test func declarationsAreReadAttributeByAttribute() throws {
    let other = Self.publication(
      "a", "<presence xmlns=\"urn:example:not-pidf\"><tuple id=\"x\"/></presence>", expiresAt: 30)
    let tricky = Self.publication(
      "b",
      "<presence entity=\"sip:xmlns@x\" xmlns = 'urn:ietf:params:xml:ns:pidf' xmlns:e=\"urn:e\"><e:a id=\"1\"/>"
        + "</presence>", expiresAt: 20)
    let many = (0..<5_000).map { " xmlns:p\($0)=\"urn:\($0)\"" }.joined()
    let wide = Self.publication(
      "c", "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\(many)><tuple id=\"w\"/></presence>",
      expiresAt: 10)
    let document = try #require(
      PresenceComposer.compose([other, tricky, wide], resource: "a@b", event: "presence"))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(Self.isWellFormed(text), "\(text.prefix(300))")
    #expect(!text.contains("not-pidf"), "a body in another default namespace is not PIDF")
    #expect(text.contains("xmlns:e=\"urn:e\"") && text.contains("<e:a id=\"1\"/>"))
    #expect(!text.contains("sip:xmlns@x"))
    #expect(text.contains("xmlns:p4999=\"urn:4999\""))
  }

  @Test func withoutPublicationsTheDocumentIsEmpty() throws {
    let document = try #require(PresenceComposer.compose([], resource: "bob@example.com", event: "presence"))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(Self.isWellFormed(text))
    #expect(
      text.hasSuffix("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:bob@example.com\"/>\n"))
  }

  @Test(arguments: ["not xml at all", "<other xmlns=\"x\"><tuple/></other>", "<presence", ""])
  func bodiesThatAreNotPIDFAreLeftOut(body: String) throws {
    let document = try #require(
      PresenceComposer.compose(
        [Self.publication("a", body), Self.publication("b", Self.baresip)], resource: "a@b", event: "presence"
      ))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(Self.isWellFormed(text), "\(text)")
    #expect(text.contains("t4109"))
  }

  /// A refresh lengthens a publication's life but does not make its state the newest.
  @Test func theStateChangedLastWinsNotTheOneRefreshedLast() throws {
    var refreshed = Self.publication(
      "old",
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t\"><note>old</note></tuple></presence>",
      expiresAt: 500)
    refreshed.changedAt = 10
    var changed = Self.publication(
      "new",
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t\"><note>new</note></tuple></presence>",
      expiresAt: 300)
    changed.changedAt = 20
    let document = try #require(
      PresenceComposer.compose([refreshed, changed], resource: "alice@example.com", event: "presence"))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(text.contains("<note>new</note>") && !text.contains("<note>old</note>"))
    let other = try #require(
      PresenceComposer.compose([refreshed, changed], resource: "alice@example.com", event: "dialog"))
    #expect(String(decoding: other.body, as: UTF8.self).contains("new"))
  }

  /// Five publications of 20 KB each cannot all go in one datagram: the newest two do, whole.
  @Test func theDocumentStaysWithinADatagramKeepingTheNewest() throws {
    let filler = String(repeating: "x", count: 20_000)
    let publications = (1...5).map { index in
      Self.publication(
        "e\(index)",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t\(index)\"><note>\(filler)</note>"
          + "</tuple></presence>", expiresAt: UInt64(index))
    }
    let document = try #require(
      PresenceComposer.compose(publications, resource: "alice@example.com", event: "presence"))
    let text = String(decoding: document.body, as: UTF8.self)
    #expect(document.body.count < 65_000 && Self.isWellFormed(text))
    #expect(text.contains("id=\"t5\"") && text.contains("id=\"t4\"") && !text.contains("id=\"t1\""))
  }

  @Test func otherPackagesTakeTheNewestBodyAsIs() throws {
    let older = Self.publication("a", "<dialog-info/>", event: "dialog", expiresAt: 10)
    let newer = Self.publication("b", "<dialog-info version=\"2\"/>", event: "dialog", expiresAt: 20)
    let document = try #require(PresenceComposer.compose([newer, older], resource: "a@b", event: "dialog"))
    #expect(document.body == Array("<dialog-info version=\"2\"/>".utf8))
    #expect(PresenceComposer.compose([], resource: "a@b", event: "dialog") == nil)
  }
}
