import Foundation
import GatewayCore
import Testing
@testable import XMLSOAP

/// rpc style, literal and encoded, as Apache Axis 1 and its contemporaries wrote it: the request
/// wrapped in an element named after the operation, parts typed rather than elements, and
/// encoded answers whose values sit in `multiRef` elements pointed at by `href`.
@Suite("rpc style requests and responses")
struct RPCStyleTests {
    static func wsdl(use: String) -> String {
        let encoding = use == "encoded" ? #" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/""# : ""
        return """
            <definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                         xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:accounts" targetNamespace="urn:accounts">
              <types>
                <xsd:schema targetNamespace="urn:accounts">
                  <xsd:complexType name="Person"><xsd:sequence><xsd:element name="name" type="xsd:string"/></xsd:sequence></xsd:complexType>
                  <xsd:complexType name="Account">
                    <xsd:sequence>
                      <xsd:element name="id" type="xsd:string"/>
                      <xsd:element name="balance" type="xsd:decimal"/>
                      <xsd:element name="owner" type="tns:Person"/>
                      <xsd:element name="holder" type="tns:Person" minOccurs="0" maxOccurs="unbounded"/>
                    </xsd:sequence>
                  </xsd:complexType>
                </xsd:schema>
              </types>
              <message name="getAccountRequest"><part name="accountId" type="xsd:string"/><part name="asOf" type="xsd:date"/></message>
              <message name="getAccountResponse"><part name="getAccountReturn" type="tns:Account"/></message>
              <portType name="Accounts"><operation name="getAccount"><input message="tns:getAccountRequest"/><output message="tns:getAccountResponse"/></operation></portType>
              <binding name="AccountsBinding" type="tns:Accounts">
                <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
                <operation name="getAccount"><soap:operation soapAction=""/>
                  <input><soap:body use="\(use)" namespace="urn:accounts"\(encoding)/></input>
                  <output><soap:body use="\(use)" namespace="urn:accounts"\(encoding)/></output>
                </operation>
              </binding>
              <service name="AccountsService"><port name="Accounts" binding="tns:AccountsBinding"><soap:address location="http://127.0.0.1:9/accounts"/></port></service>
            </definitions>
            """
    }

    static func codec(use: String) throws -> SOAPOperationCodec {
        let wsdl = try WSDL.parse(Array(wsdl(use: use).utf8))
        let schemas = XMLSchemaSet(schemas: wsdl.schemas)
        let operation = try #require(wsdl.operations.first)
        return try SOAPOperationCodec(operation: operation, decoder: SchemaJSONDecoder(schemas: schemas))
    }

    static let envelopeStart = """
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><soapenv:Body>
        """
    static let envelopeEnd = "</soapenv:Body></soapenv:Envelope>"

    @Test(arguments: ["literal", "encoded"])
    func requestWrapsThePartsInTheOperationElement(use: String) throws {
        let codec = try Self.codec(use: use)
        let body = try XMLDocumentParser().parse(try codec.requestBody(["accountId": "A-1", "asOf": "2026-11-27"]))
        #expect(body.name == "getAccount" && body.namespace == "urn:accounts")
        #expect(body.children.map(\.name) == ["accountId", "asOf"], "parts in message order")
        #expect(body.children.allSatisfy { $0.namespace == nil }, "rpc parts are unqualified")
        #expect(body.children.first?.text == "A-1")
        #expect(throws: SchemaXMLEncoder.EncodingError.self) { try codec.requestBody(["acountId": "A-1"]) }
        #expect(throws: SchemaXMLEncoder.EncodingError.self, "a part's type is checked too") {
            try codec.requestBody(["accountId": "A-1", "asOf": ["year": 2026]])
        }
        #expect(codec.requestShape.memberNames == ["accountId", "asOf"])
    }

    @Test func literalResponseReadsThePartByItsType() throws {
        let codec = try Self.codec(use: "literal")
        let answer = Self.envelopeStart + """
            <a:getAccountResponse xmlns:a="urn:accounts"><getAccountReturn><id>A-1</id><balance>12.50</balance>
            <owner><name>Ann</name></owner><holder><name>Bo</name></holder></getAccountReturn></a:getAccountResponse>
            """ + Self.envelopeEnd
        guard case .success(let json) = try codec.response(Array(answer.utf8)) else {
            Issue.record("not a success")
            return
        }
        #expect(json == ["getAccountReturn": ["id": "A-1", "balance": .number("12.50"), "owner": ["name": "Ann"], "holder": [["name": "Bo"]]]])
    }

    /// Apache Axis 1's way: the return value and everything inside it as multiRefs.
    @Test func encodedResponseFollowsHrefsToMultiRefs() throws {
        let codec = try Self.codec(use: "encoded")
        let answer = Self.envelopeStart + """
            <ns1:getAccountResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="urn:accounts">
              <getAccountReturn href="#id0"/>
            </ns1:getAccountResponse>
            <multiRef id="id0" soapenc:root="0" xsi:type="ns2:Account" xmlns:ns2="urn:accounts">
              <id xsi:type="xsd:string">A-1</id><balance xsi:type="xsd:decimal">12.50</balance>
              <owner href="#id1"/><holder href="#id1"/><holder href="#id2"/>
            </multiRef>
            <multiRef id="id1" soapenc:root="0" xsi:type="ns2:Person" xmlns:ns2="urn:accounts"><name xsi:type="xsd:string">Ann</name></multiRef>
            <multiRef id="id2" soapenc:root="0" xsi:type="ns2:Person" xmlns:ns2="urn:accounts"><name xsi:type="xsd:string">Bo</name></multiRef>
            """ + Self.envelopeEnd
        guard case .success(let json) = try codec.response(Array(answer.utf8)) else {
            Issue.record("not a success")
            return
        }
        #expect(json == [
            "getAccountReturn": [
                "id": "A-1", "balance": .number("12.50"), "owner": ["name": "Ann"], "holder": [["name": "Ann"], ["name": "Bo"]],
            ],
        ])
    }

    /// References to references (the billion laughs by `href`) and a reference cycle end within
    /// the copy budget and depth limit, quickly, instead of exhausting memory.
    @Test func referenceBombsAndCyclesStayBounded() throws {
        let codec = try Self.codec(use: "encoded")
        var refs = "<multiRef id=\"r0\" soapenc:root=\"0\"><name>lol</name></multiRef>"
        for level in 1...30 {
            let children = String(repeating: "<holder href=\"#r\(level - 1)\"/>", count: 10)
            refs += "<multiRef id=\"r\(level)\" soapenc:root=\"0\">\(children)</multiRef>"
        }
        let bomb = Self.envelopeStart + """
            <ns1:getAccountResponse xmlns:ns1="urn:accounts"><getAccountReturn href="#r30"/></ns1:getAccountResponse>
            """ + refs + Self.envelopeEnd
        let clock = ContinuousClock()
        let started = clock.now
        let body = try SOAPEnvelope.parse(Array(bomb.utf8)).body
        let resolved = codec.resolvingReferences(body)
        func count(_ element: XMLElement) -> Int { 1 + element.children.reduce(0) { $0 + count($1) } }
        let total = resolved.reduce(0) { $0 + count($1) }
        #expect(total <= SOAPOperationCodec.maximumCopiedElements + 1_000, "copied \(total) elements")
        #expect(clock.now - started < .seconds(10))

        let cycle = Self.envelopeStart + """
            <ns1:getAccountResponse xmlns:ns1="urn:accounts"><getAccountReturn href="#c"/></ns1:getAccountResponse>
            <multiRef id="c" soapenc:root="0"><id>loop</id><owner href="#c"/></multiRef>
            """ + Self.envelopeEnd
        guard case .success(let json) = try codec.response(Array(cycle.utf8)) else {
            Issue.record("not a success")
            return
        }
        #expect(json["getAccountReturn"]?["id"] == "loop")
    }
}
