import GatewayCore
import Testing
import XMLSOAP

@Suite("SOAP envelopes and faults")
struct SOAPEnvelopeTests {
    static func envelope(_ text: String) throws(SOAPError) -> SOAPEnvelope {
        try SOAPEnvelope.parse(Array(text.utf8))
    }

    @Test func soap11BodyAndHeaders() throws {
        let envelope = try Self.envelope("""
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
              <s:Header><t:Trace xmlns:t="urn:trace">abc</t:Trace></s:Header>
              <s:Body><m:StatusResponse xmlns:m="urn:tax"><m:Filed>true</m:Filed></m:StatusResponse></s:Body>
            </s:Envelope>
            """)
        #expect(envelope.version == .soap11)
        #expect(envelope.headers.map(\.name) == ["Trace"])
        #expect(envelope.body.map(\.qualifiedName) == ["{urn:tax}StatusResponse"])
        #expect(envelope.fault == nil)
    }

    /// `Server` written without a prefix (or with one never declared) is still SOAP's Server code,
    /// so a declared detail element is matched before it.
    @Test func unprefixedSOAPCodesAreSOAPCodes() throws {
        let envelope = try Self.envelope("""
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
              <faultcode>Server</faultcode><faultstring>no</faultstring><detail><m:ClientNotFound xmlns:m="urn:m"/></detail>
            </s:Fault></s:Body></s:Envelope>
            """)
        let fault = try #require(envelope.fault)
        #expect(fault.kind == .server)
        #expect(fault.declarationKeys.first == "ClientNotFound")
    }

    @Test func soap12FaultWithSubcodesReasonsAndDetail() throws {
        let envelope = try Self.envelope("""
            <env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:m="urn:tax">
              <env:Body>
                <env:Fault>
                  <env:Code><env:Value>env:Sender</env:Value>
                    <env:Subcode><env:Value>m:UnknownClient</env:Value></env:Subcode></env:Code>
                  <env:Reason><env:Text xml:lang="fr">Client inconnu</env:Text><env:Text xml:lang="en">Unknown client</env:Text></env:Reason>
                  <env:Role>urn:tax:registry</env:Role>
                  <env:Detail><m:ClientId>10000001</m:ClientId><m:Hint code="7">check the digit</m:Hint></env:Detail>
                </env:Fault>
              </env:Body>
            </env:Envelope>
            """)
        #expect(envelope.version == .soap12)
        let fault = try #require(envelope.fault)
        #expect(fault.kind == .client)
        #expect(fault.code == "env:Sender")
        #expect(fault.codeNamespace == SOAPVersion.soap12.envelopeNamespace)
        #expect(fault.subcodes == ["m:UnknownClient"])
        #expect(fault.reason == "Unknown client")
        #expect(fault.reasons == ["en": "Unknown client", "fr": "Client inconnu"])
        #expect(fault.role == "urn:tax:registry")
        #expect(fault.detail == .object(JSONObject([
            ("ClientId", .string("10000001")),
            ("Hint", .object(JSONObject([("@code", .string("7")), ("#text", .string("check the digit"))]))),
        ])))
    }

    @Test func notAnEnvelope() {
        #expect(throws: SOAPError.self) { try Self.envelope("<Envelope><Body/></Envelope>") }
        #expect(throws: SOAPError.self) { try Self.envelope("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>") }
        do {
            _ = try Self.envelope("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>")
            Issue.record("a DTD was accepted")
        } catch {
            #expect(error.code == .xml(.dtd))
        }
    }

    /// Faults other SOAP clients' tests hold (savon), as real servers send them.
    @Test(.enabled(if: Corpus.enabled, Corpus.skipReason))
    func faultsFromTheField() throws {
        func fault(_ file: String) throws -> SOAPFault {
            let envelope = try SOAPEnvelope.parse(try Corpus.data("soap/faults/\(file)"))
            return try #require(envelope.fault, "\(file) carries a fault")
        }
        let server = try fault("savon_soap_fault.xml")
        #expect(server.kind == .server)
        #expect(server.codeName == "Server")
        #expect(server.reason == "Fault occurred while processing.")
        #expect(server.detail == nil)

        let session = try fault("savon_another_soap_fault.xml")
        #expect(session.kind == .other)
        #expect(session.code == "ERR_NO_SESSION")
        #expect(session.reason == "Wrong session message")
        #expect(session.detail == .object(JSONObject([("soapVal", .object(JSONObject([("ERRNO", .string("80:1289245853:55"))])))])))

        let empty = try fault("savon_empty_soap_fault.xml")
        #expect(empty.code == "" && empty.reason == "" && empty.kind == .other)

        // SOAP 1.2 children inside a 1.1 envelope, unqualified.
        let mixed = try fault("savon_soap_fault12.xml")
        #expect(mixed.kind == .client)
        #expect(mixed.subcodes == ["m:MessageTimeout"])
        #expect(mixed.reason == "Sender Timeout")
        #expect(mixed.detail == .object(JSONObject([("MaxTime", .string("P5M"))])))

        // A body element named …Fault holding a faultcode.
        let funky = try fault("savon_soap_fault_funky.xml")
        #expect(funky.code == "42")
        #expect(funky.reason == "The Answer to Life The Universe And Everything")

        // An invalid UTF-8 byte in the fault string: the fault is kept, the byte becomes U+FFFD.
        let broken = try fault("savon_soap_fault_invalid_encoding.xml")
        #expect(broken.kind == .server)
        #expect(broken.reason == "Response with invalid encoding ñ \u{FFFD}")
    }
}
