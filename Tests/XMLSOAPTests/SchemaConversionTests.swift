import Foundation
import GatewayCore
import Testing
@testable import XMLSOAP

/// Both directions on a schema of the project's own: a tax-filing status service.
@Suite("JSON and XML by schema")
struct SchemaConversionTests {
    static let schema = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:tax" targetNamespace="urn:tax" elementFormDefault="qualified">
          <xs:element name="Status">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="ClientId" type="xs:long"/>
                <xs:element name="Filed" type="xs:boolean"/>
                <xs:element name="Income" type="xs:decimal" nillable="true"/>
                <xs:element name="Year" type="t:Year" maxOccurs="unbounded"/>
                <xs:element name="Note" type="t:Note" minOccurs="0"/>
                <xs:element name="Local" type="xs:string" minOccurs="0" form="unqualified"/>
                <xs:element name="Province" type="t:Province" minOccurs="0"/>
              </xs:sequence>
              <xs:attribute name="version" type="xs:int"/>
            </xs:complexType>
          </xs:element>
          <xs:simpleType name="Year"><xs:restriction base="xs:int"><xs:minInclusive value="1900"/></xs:restriction></xs:simpleType>
          <xs:simpleType name="Province"><xs:restriction base="t:Code"><xs:enumeration value="QC"/><xs:enumeration value="ON"/></xs:restriction></xs:simpleType>
          <xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:length value="2"/></xs:restriction></xs:simpleType>
          <xs:complexType name="Note">
            <xs:simpleContent><xs:extension base="xs:string"><xs:attribute name="lang" type="xs:language"/></xs:extension></xs:simpleContent>
          </xs:complexType>
        </xs:schema>
        """

    static func schemas() throws -> XMLSchemaSet {
        let root = try XMLDocumentParser().parse(Array(schema.utf8))
        return XMLSchemaSet(schemas: [(root, NamespaceScope().entering(root))])
    }

    static let element = WSDL.QName("urn:tax", "Status")
    /// What the schema requires, with one member added or replaced.
    static func minimal(_ member: String, _ value: JSONValue) -> JSONValue {
        var object = JSONObject([("ClientId", .number("1")), ("Filed", .bool(true)), ("Income", .null), ("Year", [.number("2025")])])
        object[member] = value
        return .object(object)
    }

    @Test func xmlToJSONFollowsTheSchema() throws {
        let xml = """
            <Status xmlns="urn:tax" version="2"><ClientId> 10000001 </ClientId><Filed>1</Filed>
            <Income xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/><Year>2025</Year>
            <Note lang="fr">Déclaration reçue</Note><Local xmlns="">x</Local><Extra>kept</Extra></Status>
            """
        let json = SchemaJSONDecoder(schemas: try Self.schemas()).decode(try XMLDocumentParser().parse(Array(xml.utf8)))
        #expect(json == .object(JSONObject([
            ("version", .number("2")), ("ClientId", .number("10000001")), ("Filed", .bool(true)), ("Income", .null),
            ("Year", .array([.number("2025")])), ("Note", .object(JSONObject([("lang", .string("fr")), ("value", .string("Déclaration reçue"))]))),
            ("Local", .string("x")), ("Extra", .string("kept")),
        ])))
    }

    @Test func jsonToXMLAndBack() throws {
        let schemas = try Self.schemas()
        let json: JSONValue = .object(JSONObject([
            ("Local", .string("a < b & \"c\"")), ("Year", .array([.number("2024"), .number("2025")])), ("ClientId", .number("42")),
            ("Filed", .bool(false)), ("Income", .null), ("version", .number("3")), ("Note", .string("plain")),
        ]))
        let bytes = try SchemaXMLEncoder(schemas: schemas).encode(json, element: Self.element)
        let element = try XMLDocumentParser().parse(bytes)
        #expect(element.children.map(\.name) == ["ClientId", "Filed", "Income", "Year", "Year", "Note", "Local"], "schema order")
        #expect(element.children.map(\.namespace) == ["urn:tax", "urn:tax", "urn:tax", "urn:tax", "urn:tax", "urn:tax", nil])
        #expect(element.attribute("version") == "3")
        #expect(element.child("Income")?.attribute("nil", namespace: "http://www.w3.org/2001/XMLSchema-instance") == "true")
        #expect(element.child("Local")?.text == "a < b & \"c\"")
        let back = SchemaJSONDecoder(schemas: schemas).decode(element)
        #expect(back["Year"] == .array([.number("2024"), .number("2025")]))
        #expect(back["Note"] == .object(JSONObject([("value", .string("plain"))])))
        #expect(back["Filed"] == .bool(false))
    }

    @Test func membersTheSchemaDoesNotDeclareAreErrors() throws {
        let encoder = SchemaXMLEncoder(schemas: try Self.schemas())
        #expect(throws: SchemaXMLEncoder.EncodingError.self) {
            try encoder.encode(.object(JSONObject([("ClientID", .number("1"))])), element: Self.element)
        }
        do {
            _ = try encoder.encode(Self.minimal("Note", .object(JSONObject([("language", .string("fr"))]))), element: Self.element)
        } catch {
            #expect(error.description == "Note.language: not in the schema here (expected one of: lang, value)")
        }
        #expect(throws: SchemaXMLEncoder.EncodingError.self, "Filed occurs once") {
            try encoder.encode(Self.minimal("Filed", .array([.bool(true), .bool(false)])), element: Self.element)
        }
        #expect(throws: SchemaXMLEncoder.EncodingError.self, "XML cannot carry U+0001") {
            try encoder.encode(Self.minimal("Local", .string("a\u{1}b")), element: Self.element)
        }
    }

    /// Values are checked against their simple type (enumeration through a chain of
    /// restrictions, the built-in base's lexical form) before anything is sent.
    @Test func valuesMustFitTheirSimpleTypes() throws {
        let encoder = SchemaXMLEncoder(schemas: try Self.schemas())
        func error(_ member: String, _ value: JSONValue) -> String? {
            do {
                _ = try encoder.encode(Self.minimal(member, value), element: Self.element)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error("Province", "QC") == nil)
        #expect(error("Province", "NY") == "Province: 'NY' is not one of QC, ON")
        #expect(error("ClientId", "12x") == "ClientId: '12x' is not a valid xs:long")
        #expect(error("ClientId", .number("1.5")) == "ClientId: '1.5' is not a valid xs:long")
        #expect(error("Filed", "yes") == "Filed: 'yes' is not a valid xs:boolean")
        #expect(error("Filed", .bool(true)) == nil)
        #expect(error("Year", [.number("2024"), "MMXXV"]) == "Year[1]: 'MMXXV' is not a valid xs:int")
        #expect(error("Income", .number("-1234.56")) == nil)
        #expect(error("Year", [.number("99999999999")]) == "Year: '99999999999' is above xs:int's maximum 2147483647", "the built-in's range")
        #expect(error("ClientId", .number("9223372036854775808")) == "ClientId: '9223372036854775808' is above xs:long's maximum 9223372036854775807")
        #expect(error("Note", ["lang": "fr", "value": "ok"]) == nil)
    }

    /// Facets: lengths, patterns, bounds and digit counts, through a chain of restrictions, are
    /// checked before sending and carried into the shape OpenAPI publishes.
    @Test func facetsAreCheckedAndPublished() throws {
        let schema = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:f" targetNamespace="urn:f" elementFormDefault="qualified">
              <xs:element name="Claim"><xs:complexType><xs:sequence>
                <xs:element name="PostalCode" type="t:PostalCode" minOccurs="0"/>
                <xs:element name="Name" type="t:ShortName" minOccurs="0"/>
                <xs:element name="Amount" type="t:Amount" minOccurs="0"/>
                <xs:element name="Weeks" type="t:Weeks" minOccurs="0"/>
              </xs:sequence></xs:complexType></xs:element>
              <xs:simpleType name="PostalCode"><xs:restriction base="xs:string"><xs:pattern value="[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]"/></xs:restriction></xs:simpleType>
              <xs:simpleType name="Name"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="40"/></xs:restriction></xs:simpleType>
              <xs:simpleType name="ShortName"><xs:restriction base="t:Name"><xs:maxLength value="5"/></xs:restriction></xs:simpleType>
              <xs:simpleType name="Amount"><xs:restriction base="xs:decimal">
                <xs:totalDigits value="7"/><xs:fractionDigits value="2"/><xs:minInclusive value="0"/><xs:maxExclusive value="10000"/>
              </xs:restriction></xs:simpleType>
              <xs:simpleType name="Weeks"><xs:restriction base="xs:int"><xs:minInclusive value="1"/><xs:maxInclusive value="52"/></xs:restriction></xs:simpleType>
            </xs:schema>
            """
        let root = try XMLDocumentParser().parse(Array(schema.utf8))
        let schemas = XMLSchemaSet(schemas: [(root, NamespaceScope().entering(root))])
        let encoder = SchemaXMLEncoder(schemas: schemas)
        let claim = WSDL.QName("urn:f", "Claim")
        func problem(_ member: String, _ value: JSONValue) -> String? {
            do {
                _ = try encoder.encode(.object(JSONObject([(member, value)])), element: claim)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem("PostalCode", "H3B 1K9") == nil)
        #expect(problem("PostalCode", "H3B1K9") == nil)
        #expect(problem("PostalCode", "12345") == "PostalCode: '12345' does not match the pattern [A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]")
        #expect(problem("Name", "Léa") == nil)
        #expect(problem("Name", "Samuel") == "Name: 'Samuel' is longer than 5 characters", "the derived maxLength wins")
        #expect(problem("Name", "") == "Name: '' is shorter than 1 characters", "the base's minLength still holds")
        #expect(problem("Amount", .number("1284.17")) == nil)
        #expect(problem("Amount", .number("1.50")) == nil, "trailing zeros are not digits of the value")
        #expect(problem("Amount", .number("1.505")) == "Amount: '1.505' has more than 2 digits after the point")
        #expect(problem("Amount", .number("10000")) == "Amount: '10000' is above the exclusive maximum 10000")
        #expect(problem("Amount", .number("-0.01")) == "Amount: '-0.01' is below the minimum 0")
        #expect(problem("Weeks", .number("53")) == "Weeks: '53' is above the maximum 52")

        let shape = SchemaJSONDecoder(schemas: schemas).shape(ofElement: claim)
        guard case .restricted(_, let name)? = shape.member(at: ["Name"])?.unwrapped else {
            Issue.record("Name has no facets in its shape: \(String(describing: shape.member(at: ["Name"])))")
            return
        }
        #expect(name.minLength == 1 && name.maxLength == 5)
        guard case .restricted(_, let amount)? = shape.member(at: ["Amount"])?.unwrapped else {
            Issue.record("Amount has no facets in its shape")
            return
        }
        #expect(amount.maximum == "10000" && amount.maximumExclusive && amount.fractionDigits == 2)
    }

    /// An element the schema requires must be there (null only where nillable); one that is
    /// optional, or in a choice, may be left out.
    @Test func requiredElementsMustBeGiven() throws {
        let encoder = SchemaXMLEncoder(schemas: try Self.schemas())
        #expect(throws: Never.self) { try encoder.encode(Self.minimal("Local", "x"), element: Self.element) }
        for (member, message) in [("ClientId", "ClientId: required by the schema, but missing"), ("Year", "Year: required by the schema, but missing")] {
            guard case .object(var object) = Self.minimal("Local", "x") else { return }
            object[member] = nil
            #expect(throws: SchemaXMLEncoder.EncodingError.self) { try encoder.encode(.object(object), element: Self.element) }
            do { _ = try encoder.encode(.object(object), element: Self.element) } catch { #expect(error.description == message) }
        }
        do {
            _ = try encoder.encode(Self.minimal("Filed", .null), element: Self.element)
            Issue.record("null for a required, non-nillable element was accepted")
        } catch {
            #expect(error.description == "Filed: required by the schema and not nillable, but null")
        }
        let choice = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:c" elementFormDefault="qualified">
              <xs:element name="Find"><xs:complexType><xs:sequence>
                <xs:choice><xs:element name="ById" type="xs:int"/><xs:element name="ByName" type="xs:string"/></xs:choice>
                <xs:sequence minOccurs="0"><xs:element name="From" type="xs:date"/><xs:element name="To" type="xs:date"/></xs:sequence>
              </xs:sequence></xs:complexType></xs:element>
            </xs:schema>
            """
        let root = try XMLDocumentParser().parse(Array(choice.utf8))
        let chooser = SchemaXMLEncoder(schemas: XMLSchemaSet(schemas: [(root, NamespaceScope().entering(root))]))
        #expect(throws: Never.self) { try chooser.encode(["ByName": "Tremblay"], element: WSDL.QName("urn:c", "Find")) }
    }
}

@Suite("Numbers from XML")
struct XMLNumberTests {
    /// The fast path and exact parsing give the same JSON for every form a server may send.
    @Test(arguments: ["7", "-12.50", "0.5", "0", "-0", "007", "+5", "1.", ".5", "1e3", "INF", "NaN", " 42 ", "0.00", "-0.00", "12345678901234567890123456789012345678", "123456789012345678901234567890123456789"])
    func canonicalOrParsed(text: String) {
        let value = SchemaJSONDecoder.scalar(text, builtin: "decimal")
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expected: JSONValue = ExactDecimal(trimmed).map { .number($0.description) } ?? .string(trimmed)
        #expect(value == expected)
    }
}

@Suite("Derived types")
struct DerivedTypeTests {
    /// `xsi:type` picks the derived type an instance has; its prefix may be declared on the envelope.
    @Test func xsiTypeChoosesTheDerivedType() throws {
        let schema = try XMLDocumentParser().parse(Array("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:pay" targetNamespace="urn:pay" elementFormDefault="qualified">
              <xs:element name="Payments"><xs:complexType><xs:sequence>
                <xs:element name="Payment" type="t:Payment" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
              <xs:complexType name="Payment"><xs:sequence><xs:element name="Amount" type="xs:decimal"/></xs:sequence></xs:complexType>
              <xs:complexType name="CardPayment"><xs:complexContent><xs:extension base="t:Payment">
                <xs:sequence><xs:element name="Last4" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
            </xs:schema>
            """.utf8))
        let schemas = XMLSchemaSet(schemas: [(schema, NamespaceScope().entering(schema))])
        let envelope = try SOAPEnvelope.parse(Array("""
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:pay" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <s:Body><p:Payments><p:Payment><p:Amount>10.00</p:Amount></p:Payment>
                <p:Payment xsi:type="p:CardPayment"><p:Amount>2.50</p:Amount><p:Last4>0042</p:Last4></p:Payment></p:Payments></s:Body>
            </s:Envelope>
            """.utf8))
        let json = SchemaJSONDecoder(schemas: schemas).decode(try #require(envelope.body.first), scope: envelope.bodyScope)
        #expect(json["Payment"] == .array([
            .object(JSONObject([("Amount", .number("10.00"))])),
            .object(JSONObject([("Amount", .number("2.50")), ("Last4", .number("42"))])),
        ]))
    }
}

@Suite("Hostile schemas and requests")
struct HostileSchemaTests {
    static func schemas(_ text: String) throws -> XMLSchemaSet {
        let root = try XMLDocumentParser().parse(Array(text.utf8))
        return XMLSchemaSet(schemas: [(root, NamespaceScope().entering(root))])
    }

    /// Under `xs:anyType` the JSON keys become element names: markup in a key is refused.
    @Test func keysUnderAnyTypeCannotInjectMarkup() throws {
        let schemas = try Self.schemas("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a"><xs:element name="Bag" type="xs:anyType"/></xs:schema>
            """)
        let encoder = SchemaXMLEncoder(schemas: schemas)
        let fine = try encoder.encode(.object(JSONObject([("note", .string("a<b"))])), element: WSDL.QName("urn:a", "Bag"))
        #expect(String(decoding: fine, as: UTF8.self) == "<Bag xmlns=\"urn:a\"><note>a&lt;b</note></Bag>")
        #expect(throws: SchemaXMLEncoder.EncodingError.self) {
            try encoder.encode(.object(JSONObject([("a><Transfer amount=\"1e6\"/><b", .string("x"))])), element: WSDL.QName("urn:a", "Bag"))
        }
    }

    /// A type that derives from itself ends the chain instead of the process.
    @Test func cyclicDerivationsDoNotRecurseForever() throws {
        let schemas = try Self.schemas("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:c" targetNamespace="urn:c">
              <xs:element name="R"><xs:complexType><xs:sequence><xs:element name="S" type="t:Loop"/><xs:element name="C" type="t:A"/></xs:sequence></xs:complexType></xs:element>
              <xs:simpleType name="Loop"><xs:restriction base="t:Loop"/></xs:simpleType>
              <xs:complexType name="A"><xs:complexContent><xs:extension base="t:B"><xs:sequence><xs:element name="X" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
              <xs:complexType name="B"><xs:complexContent><xs:extension base="t:A"/></xs:complexContent></xs:complexType>
            </xs:schema>
            """)
        let element = try XMLDocumentParser().parse(Array("<R xmlns=\"urn:c\"><S>s</S><C><X>1</X></C></R>".utf8))
        let json = SchemaJSONDecoder(schemas: schemas).decode(element)
        #expect(json["S"] == .string("s"))
        #expect(json["C"]?["X"] != nil)
    }
}
