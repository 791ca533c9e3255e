import Foundation
import Testing
import XMLSOAP

#if canImport(Glibc)
import Glibc
#endif

@Suite("Safe XML parsing")
struct XMLDocumentParserTests {
    static func parse(_ text: String, limits: XMLDocumentParser.Limits = .init()) throws(XMLError) -> XMLElement {
        try XMLDocumentParser(limits: limits).parse(Array(text.utf8))
    }

    static func refusal(_ text: String, limits: XMLDocumentParser.Limits = .init()) -> XMLError? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func namespacesAttributesTextAndCDATA() throws {
        let root = try Self.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="urn:tax">
              <soap:Body>
                <t:Status t:year="2025" kind="final"><t:Filed>true</t:Filed><t:Note><![CDATA[<b>&amp; done</b>]]></t:Note><t:Empty/></t:Status>
                <!-- a comment -->
              </soap:Body>
            </soap:Envelope>
            """)
        #expect(root.name == "Envelope")
        #expect(root.namespace == "http://schemas.xmlsoap.org/soap/envelope/")
        #expect(root.namespaceDeclarations == ["soap": "http://schemas.xmlsoap.org/soap/envelope/", "t": "urn:tax"])
        let status = try #require(root.child("Body")?.child("Status", namespace: "urn:tax"))
        #expect(status.line == 4)
        #expect(status.attribute("year", namespace: "urn:tax") == "2025")
        #expect(status.attribute("kind") == "final")
        #expect(status.children.map(\.name) == ["Filed", "Note", "Empty"])
        #expect(status.child("Filed")?.text == "true")
        #expect(status.child("Note")?.text == "<b>&amp; done</b>")
        #expect(status.child("Empty")?.text == "")
    }

    @Test func characterReferencesAndPredefinedEntitiesAreText() throws {
        #expect(try Self.parse("<r>a &lt; b &amp;&#233;&#x20AC;</r>").text == "a < b &é€")
    }

    /// The classic entity-expansion bomb: refused at its DOCTYPE, before any expansion.
    @Test func billionLaughsIsRefused() {
        var entities = "<!ENTITY lol0 \"lol\">"
        for level in 1...9 {
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let error = Self.refusal("<?xml version=\"1.0\"?><!DOCTYPE lolz [\(entities)]><lolz>&lol9;</lolz>")
        #expect(error?.code == .dtd)
        #expect(error?.message.contains("DTD") == true)
    }

    /// A DTD in UTF-16 slips past no check: libxml2's reader meets it and the parser refuses it.
    @Test func aDTDInUTF16IsRefusedToo() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">]><r>&a;</r>"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        do {
            _ = try XMLDocumentParser().parse(bytes)
            Issue.record("a UTF-16 document with a DTD was accepted")
        } catch {
            #expect(error.code == .dtd || error.code == .malformed, "\(error)")
        }
    }

    /// External entities (a local file, a URL) and an external DTD: refused, and nothing is read or
    /// fetched — the file's content appears nowhere and a listener on 127.0.0.1 sees no connection.
    @Test func externalEntitiesAreRefusedWithoutTouchingFilesOrNetwork() throws {
        let marker = "portage-secret-\(UUID().uuidString)"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(marker).txt")
        try marker.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let listener = try Listener()
        defer { listener.close() }
        let payloads = [
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"file://\(file.path)\">]><r>&x;</r>",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:\(listener.port)/x\">]><r>&x;</r>",
            "<!DOCTYPE r SYSTEM \"http://127.0.0.1:\(listener.port)/evil.dtd\"><r/>",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:\(listener.port)/p.dtd\"> %p;]><r/>",
        ]
        for payload in payloads {
            let error = Self.refusal(payload)
            #expect(error?.code == .dtd, "\(payload)")
            #expect(error?.message.contains(marker) == false)
        }
        // XInclude is never processed: the include stays an ordinary element.
        let included = try Self.parse("<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file://\(file.path)\" parse=\"text\"/></r>")
        #expect(included.children.first?.name == "include")
        #expect(included.children.first?.text == "")
        #expect(!listener.hadConnection())
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        let error = Self.refusal(deep)
        #expect(error?.code == .tooDeep)
        #expect(error?.line == 1)
        let shallow = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        #expect(Self.refusal(shallow) == nil, "64 levels is the limit, not past it")
    }

    @Test func sizeAndNodeLimits() {
        var limits = XMLDocumentParser.Limits()
        limits.maximumBytes = 100
        #expect(Self.refusal("<r>" + String(repeating: "x", count: 200) + "</r>", limits: limits)?.code == .tooLarge)
        limits = XMLDocumentParser.Limits()
        limits.maximumNodes = 50
        #expect(Self.refusal("<r>" + String(repeating: "<i>1</i>", count: 30) + "</r>", limits: limits)?.code == .tooManyNodes)
    }

    @Test func malformedDocumentsNameTheLine() {
        let error = Self.refusal("<r>\n  <a>\n</r>")
        #expect(error?.code == .malformed)
        #expect(error?.line == 3)
        #expect(Self.refusal("")?.code == .malformed)
        #expect(Self.refusal("just text")?.code == .malformed)
        #expect(Self.refusal("<r>&undeclared;</r>") != nil)
    }

    @Test func parsesConcurrently() async throws {
        let document = "<list>" + (0..<500).map { "<item id=\"\($0)\">v\($0)</item>" }.joined() + "</list>"
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try Self.parse(document).children.count }
            }
            for try await count in group { #expect(count == 500) }
        }
    }
}

/// A TCP listener on 127.0.0.1 that only records whether anyone connected.
final class Listener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, 8) == 0 else { throw CocoaError(.fileReadUnknown) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func hadConnection() -> Bool {
        var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&poll, 1, 100) > 0
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
