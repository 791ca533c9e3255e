import Foundation
import GatewayCore
import Testing
@testable import XMLSOAP

/// node-soap's own request/response cases: each response XML, read by the operation's codec (the
/// gateway's own path: document or rpc, `multiRef` followed), must carry the values node-soap
/// returns. node-soap's conventions differ from Portage's on purpose in seven places, compared
/// through one mapping: it nests attributes under `attributes` (Portage: members of the object),
/// puts simple content in `$value` (Portage: `value`), repeats `xsi:type` as a member (Portage reads
/// it to choose the derived type and leaves it out), gives a repeating element that occurs once as
/// the item itself (Portage: always a list, as the schema says it repeats), and gives an element
/// with no content as `null` (Portage: what its type makes of no content, `""` or `{}`; `null` is
/// kept for `xsi:nil`).
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

    static let schemaInstanceKeys: Set<String> = ["xsi:type", "XMLSchema-instance:type", "xsi:nil"]

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
        case (.array(let x), _) where x.count == 1:
            return same(x[0], b)
        case (.string(""), .null):
            return true
        case (.bool(let flag), .string(let text)):
            return text == (flag ? "true" : "false")
        case (.number, .string(let text)):
            return same(a, .number(text))
        case (.string(let ours), .string(let theirs)) where theirs.hasSuffix(".000Z"):
            return theirs == Self.javaScriptDate(ours)
        case (.object(let x), .null):
            return x.isEmpty
        default:
            return a == b
        }
    }

    /// An `xs:date` or `xs:dateTime` without zone or fraction as node-soap writes it back: a
    /// JavaScript `Date` in UTC with milliseconds (`2018-07-21` → `2018-07-21T00:00:00.000Z`).
    static func javaScriptDate(_ text: String) -> String {
        if text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil { return text + "T00:00:00.000Z" }
        if text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}/) != nil { return text + ".000Z" }
        return text
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
                guard !envelope.body.isEmpty else {
                    failed.append("\(name): empty body")
                    continue
                }
                let operationName = String(name[..<(name.range(of: "__")?.lowerBound ?? name.endIndex)])
                let ours: JSONValue
                if let operation = wsdl.operations.first(where: { $0.binding.name == operationName }),
                    let codec = try? SOAPOperationCodec(operation: operation, decoder: SchemaJSONDecoder(schemas: schemas)),
                    case .success(let value) = codec.response(envelope)
                {
                    ours = value
                } else {
                    // No operation of that name (the case names a test, not always an operation): by the body element.
                    ours = SchemaJSONDecoder(schemas: schemas).decode(envelope.body[0], scope: envelope.bodyScope)
                }
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
    static let expectedPasses = 28
}
