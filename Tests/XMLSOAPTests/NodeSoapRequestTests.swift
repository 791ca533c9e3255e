import Foundation
import GatewayCore
import Testing
@testable import XMLSOAP

/// node-soap's request cases: the XML Portage writes for `request.json` must be the XML node-soap
/// sends, compared namespace-aware (prefixes and whitespace do not matter; names, namespaces,
/// attributes, text and order do).
@Suite("node-soap requests", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct NodeSoapRequestTests {
    static func same(_ a: XMLElement, _ b: XMLElement) -> Bool {
        func attributes(_ element: XMLElement) -> Set<XMLElement.Attribute> { Set(element.attributes) }
        return a.name == b.name && a.namespace == b.namespace && attributes(a) == attributes(b)
            && a.text.trimmingCharacters(in: .whitespacesAndNewlines) == b.text.trimmingCharacters(in: .whitespacesAndNewlines)
            && a.children.count == b.children.count && zip(a.children, b.children).allSatisfy { same($0, $1) }
    }

    @Test func requestsAreTheXMLNodeSoapSends() throws {
        let directory = NodeSoapResponseTests.directory
        let root = Corpus.directory.appendingPathComponent(directory)
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().filter { name in
            ["request.xml", "request.json", "soap.wsdl"].allSatisfy {
                FileManager.default.fileExists(atPath: root.appendingPathComponent("\(name)/\($0)").path)
            }
        }
        var passed: [String] = []
        var failed: [String] = []
        for name in cases {
            let folder = "\(directory)/\(name)"
            let operationName = String(name[..<(name.range(of: "__")?.lowerBound ?? name.endIndex)])
            do {
                let wsdl = try WSDL.parse(try Corpus.data("\(folder)/soap.wsdl"))
                guard let operation = wsdl.operations.first(where: { $0.binding.name == operationName }) else {
                    failed.append("\(name): no SOAP operation \(operationName)")
                    continue
                }
                let schemas = XMLSchemaSet(schemas: wsdl.schemas) { location in try? Corpus.data("\(folder)/\(location)") }
                // node-soap's `attributes` and `$value`, in Portage's conventions (see NodeSoapResponseTests).
                let request = NodeSoapResponseTests.portageConventions(try JSONParser.parse(try Corpus.data("\(folder)/request.json")))
                // The gateway's own path: the operation's codec (document or rpc). node-soap sends
                // whatever it is given; in two cases that leaves out an element the schema
                // requires, which the gateway refuses (400 naming it) before sending.
                var codec = try SOAPOperationCodec(operation: operation, decoder: SchemaJSONDecoder(schemas: schemas))
                codec.encoder.requiresElements = false
                let ours = try XMLDocumentParser().parse(try codec.requestBody(request))
                let theirs = try SOAPEnvelope.parse(try Corpus.data("\(folder)/request.xml"))
                guard let expected = theirs.body.first else {
                    failed.append("\(name): node-soap's request has an empty body")
                    continue
                }
                if Self.same(ours, expected) {
                    passed.append(name)
                } else {
                    failed.append("\(name): differs")
                }
            } catch {
                failed.append("\(name): \(error)")
            }
        }
        print("node-soap requests: \(passed.count) of \(cases.count) are the XML node-soap sends")
        for failure in failed { print("  \(failure.prefix(300))") }
        #expect(passed.count >= Self.expectedPasses, "\(failed)")
    }

    /// The count reached so far (the README reports it); raise it as the encoder grows.
    static let expectedPasses = 24
}
