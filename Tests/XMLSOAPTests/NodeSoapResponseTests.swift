import Foundation
import GatewayCore
import Testing
import XMLSOAP

/// node-soap's own request/response cases: each response XML, converted by the WSDL's schema,
/// must carry the values node-soap returns. node-soap's conventions differ from Portage's on purpose
/// in three places, compared through one mapping: it nests attributes under `attributes` (Portage:
/// members of the object), puts simple content in `$value` (Portage: `value`), and repeats
/// `xsi:type` as a member (Portage reads it to choose the derived type and leaves it out).
@Suite("node-soap responses", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct NodeSoapResponseTests {
    static let directory = "soap/node-soap/request-response-samples"

    /// node-soap's JSON in Portage's conventions.
    static func portageConventions(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result = JSONObject()
            for (key, member) in object {
                if key == "attributes" || key == "$attributes", case .object(let attributes) = member {
                    for (name, attribute) in attributes where !Self.schemaInstanceKeys.contains(name) {
                        result[name] = portageConventions(attribute)
                    }
                } else if Self.schemaInstanceKeys.contains(key) {
                    continue
                } else {
                    result[key == "$value" ? "value" : key] = portageConventions(member)
                }
            }
            return .object(result)
        case .array(let items): return .array(items.map(portageConventions))
        default: return value
        }
    }

    static let schemaInstanceKeys: Set<String> = ["xsi:type", "XMLSchema-instance:type"]

    /// Equal values: numbers by value, everything else exactly.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            guard let x = ExactDecimal(x), let y = ExactDecimal(y) else { return false }
            let scale = max(x.scale, y.scale)
            return x.rescaled(to: scale)?.significand == y.rescaled(to: scale)?.significand
        case (.object(let x), .object(let y)):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!) }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default:
            return a == b
        }
    }

    @Test func responsesCarryNodeSoapsValues() throws {
        let root = Corpus.directory.appendingPathComponent(Self.directory)
        let cases = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().filter { name in
            // Cases with a response to convert (some hold an empty one: one-way and error cases).
            ["response.xml", "response.json", "soap.wsdl"].allSatisfy {
                ((try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("\(name)/\($0)").path)[.size] as? Int) ?? 0) > 0
            }
        }
        var passed: [String] = []
        var failed: [String] = []
        for name in cases {
            let folder = "\(Self.directory)/\(name)"
            do {
                let wsdl = try WSDL.parse(try Corpus.data("\(folder)/soap.wsdl"))
                let schemas = XMLSchemaSet(schemas: wsdl.schemas) { location in try? Corpus.data("\(folder)/\(location)") }
                let envelope = try SOAPEnvelope.parse(try Corpus.data("\(folder)/response.xml"))
                guard let body = envelope.body.first else {
                    failed.append("\(name): empty body")
                    continue
                }
                let ours = SchemaJSONDecoder(schemas: schemas).decode(body, scope: envelope.bodyScope)
                let theirs = Self.portageConventions(try JSONParser.parse(try Corpus.data("\(folder)/response.json")))
                if Self.same(ours, theirs) {
                    passed.append(name)
                } else {
                    failed.append("\(name): \(JSONWriter().string(ours)) vs \(JSONWriter().string(theirs))")
                }
            } catch {
                failed.append("\(name): \(error)")
            }
        }
        print("node-soap responses: \(passed.count) of \(cases.count) carry node-soap's values")
        for failure in failed { print("  differs: \(failure.prefix(400))") }
        #expect(passed.count >= Self.expectedPasses, "\(failed)")
    }

    /// The count reached so far (the README reports it); raise it as the converter grows.
    static let expectedPasses = 13
}
