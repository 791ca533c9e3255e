@testable import AdapterKinds
import Foundation
import GatewayCore
import GatewayHTTP
import HummingbirdTesting
import Logging
import NIOPosix
import OpenAPIKit
import Synchronization
import Testing
import XMLSOAP

@Suite("portage import wsdl")
struct WSDLImportTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portage-import-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The OpenAPI document a folder of declarations serves, checked by OpenAPIKit.
    static func openAPI(of folder: URL) async throws -> OpenAPI.Document {
        let gateway = try Gateway.load(
            adaptersDirectory: folder.appendingPathComponent("Adapters").path,
            contractsDirectory: folder.appendingPathComponent("Contracts").path,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "import-test"))
        let document = try await gateway.makeApplication(port: 0, logger: Logger(label: "import-test")).test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            return try JSONDecoder().decode(OpenAPI.Document.self, from: Data(buffer: response.body))
        }
        try document.validate()
        return document
    }

    /// Every WSDL of the corpus imports into a declaration that loads and serves a valid OpenAPI
    /// document with one operation per WSDL operation, or fails naming what it lacks.
    @Test(.enabled(if: Corpus.enabled, Corpus.skipReason))
    func everyCorpusWSDLImportsOrNamesWhatItLacks() async throws {
        let folder = Corpus.directory.appendingPathComponent("soap/wsdl")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".wsdl") }.sorted()
        #expect(files.count == 15)
        var refused: [String: String] = [:]
        for file in files {
            let out = try Self.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: out) }
            let name = WSDLImport.kebabCase(String(file.dropLast(5)))
            let output: WSDLImport.Output
            do {
                output = try WSDLImport.importFile(folder.appendingPathComponent(file).path, options: .init(name: name, outputDirectory: out.path))
            } catch {
                refused[file] = error.description
                continue
            }
            #expect(output.adapter == name)
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("Contracts/\(name)/\(file)").path))
            let document = try await Self.openAPI(of: out)
            #expect(Set(document.allOperationIds) == Set(output.operations.map(\.name)), "\(file)")
            for (path, item) in document.paths {
                #expect(path.rawValue.hasPrefix("/v1/\(name)/"), "\(file): \(path.rawValue)")
                let post = try #require(item.pathItemValue?.post, "\(file): \(path.rawValue)")
                #expect(post.requestBody != nil || post.parameters.isEmpty, "\(file): \(path.rawValue)")
            }
        }
        // The two that cannot serve say why: a port with no binding, and an HTTP (not SOAP) binding.
        #expect(Set(refused.keys) == ["wasabi_soap12.wsdl", "zeep_http.wsdl"], "\(refused)")
        #expect(refused["wasabi_soap12.wsdl"]?.contains("port BlogSoap12: it names no binding") == true)
        #expect(refused["zeep_http.wsdl"]?.contains("binding StockQuoteBinding: {http://schemas.xmlsoap.org/wsdl/http/}binding is not a SOAP binding") == true)
    }

    static let typesSchema = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:types" elementFormDefault="qualified">
          <xs:include schemaLocation="../more/common.xsd"/>
          <xs:element name="Echo"><xs:complexType><xs:sequence><xs:element name="Text" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """
    static let commonSchema = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:types" elementFormDefault="qualified">
          <xs:element name="EchoResponse"><xs:complexType><xs:sequence><xs:element name="Text" type="xs:string" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """
    static func wsdl(extraImport: String) -> String {
        """
        <definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                     xmlns:t="urn:example:types" xmlns:tns="urn:example:echo" targetNamespace="urn:example:echo">
          <types>
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:wrapper">
              <xs:import namespace="urn:example:types" schemaLocation="types/echo.xsd"/>
              \(extraImport)
            </xs:schema>
          </types>
          <message name="EchoIn"><part name="body" element="t:Echo"/></message>
          <message name="EchoOut"><part name="body" element="t:EchoResponse"/></message>
          <portType name="EchoPortType"><operation name="Echo"><input message="tns:EchoIn"/><output message="tns:EchoOut"/></operation></portType>
          <binding name="EchoBinding" type="tns:EchoPortType">
            <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
            <operation name="Echo"><soap:operation soapAction="urn:echo"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
          </binding>
          <service name="EchoService"><port name="EchoPort" binding="tns:EchoBinding"><soap:address location="http://127.0.0.1:9/echo"/></port></service>
        </definitions>
        """
    }

    /// From an address: every schema on the WSDL's own server is fetched — relative locations,
    /// their own includes relative to them (`types/echo.xsd` includes `../more/common.xsd`), one
    /// outside the WSDL's folder (`../shared/parent.xsd`) and a WCF-style absolute one with a query
    /// (`…/echo.svc?xsd=xsd0`) — copied with it, the locations that had to change rewritten, and
    /// the declaration serves; a schema on another server is not fetched, and is named.
    @Test func importFromAnAddressFetchesTheServersSchemasAndNamesOthers() async throws {
        let parent = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:parent"><xs:element name="Parent" type="xs:string"/></xs:schema>
            """
        let wcf = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:wcf"><xs:element name="Wcf" type="xs:int"/></xs:schema>
            """
        let files = [
            "http://legacy.example/services/echo?wsdl": Self.wsdl(extraImport: """
                <xs:import namespace="urn:example:elsewhere" schemaLocation="http://elsewhere.example/x.xsd"/>
                <xs:import namespace="urn:example:parent" schemaLocation="../shared/parent.xsd"/>
                <xs:import namespace="urn:example:wcf" schemaLocation="http://legacy.example/services/echo.svc?xsd=xsd0&amp;v=2"/>
                """),
            "http://legacy.example/services/types/echo.xsd": Self.typesSchema,
            "http://legacy.example/services/more/common.xsd": Self.commonSchema,
            "http://legacy.example/shared/parent.xsd": parent,
            "http://legacy.example/services/echo.svc?xsd=xsd0&v=2": wcf,
        ]
        let fetched = Mutex<[String]>([])
        let out = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let output = try await WSDLImport.importURL("http://legacy.example/services/echo?wsdl", options: .init(name: "echo", outputDirectory: out.path)) { url in
            fetched.withLock { $0.append(url.absoluteString) }
            guard let text = files[url.absoluteString] else { throw WSDLImport.Failure("404 \(url)") }
            return Array(text.utf8)
        }
        #expect(Set(fetched.withLock { $0 }) == Set(files.keys), "each fetched once, nothing from elsewhere.example")
        #expect(fetched.withLock { $0.count } == files.count)
        #expect(output.contractFiles.sorted() == [
            "Contracts/echo/echo.wsdl", "Contracts/echo/more/common.xsd", "Contracts/echo/schemas/echo.svc-xsd-xsd0-v-2.xsd",
            "Contracts/echo/schemas/parent.xsd", "Contracts/echo/types/echo.xsd",
        ])
        let unread = output.unsupported.map(\.description)
        #expect(unread.count == 1 && unread[0].contains("http://elsewhere.example/x.xsd"), "\(unread)")
        let copy = try String(contentsOf: out.appendingPathComponent("Contracts/echo/echo.wsdl"), encoding: .utf8)
        #expect(copy.contains("schemaLocation=\"schemas/echo.svc-xsd-xsd0-v-2.xsd\"") && copy.contains("schemaLocation=\"schemas/parent.xsd\""))
        #expect(copy.contains("schemaLocation=\"types/echo.xsd\""), "a location that needs no change keeps its text")
        let declaration = try String(contentsOf: out.appendingPathComponent("Adapters/echo.yaml"), encoding: .utf8)
        #expect(declaration.contains("# Not read from the WSDL"))
        #expect(declaration.contains("url: \"http://127.0.0.1:9/echo\""))
        let document = try await Self.openAPI(of: out)
        #expect(document.allOperationIds == ["echo"])
        #expect(document.paths["/v1/echo/echo"]?.pathItemValue?.post != nil)
    }

    /// WCF's layout: the service's WSDL imports `?wsdl=wsdl0` (port type, messages, types), whose
    /// schema lives at `?xsd=xsd0`. All three are fetched from the same server, staged, the
    /// locations rewritten, and the import merges them into one contract that serves.
    @Test func wcfStyleWSDLImportsAreFetchedAndMerged() async throws {
        let base = "http://gov.example/Benefits/Registry.svc"
        let root = """
            <wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                xmlns:i0="urn:contract" xmlns:tns="http://tempuri.org/" targetNamespace="http://tempuri.org/" name="Registry">
              <wsdl:import namespace="urn:contract" location="\(base)?wsdl=wsdl0"/>
              <wsdl:binding name="BasicHttpBinding_IRegistry" type="i0:IRegistry">
                <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
                <wsdl:operation name="Find"><soap:operation soapAction="urn:contract/IRegistry/Find" style="document"/>
                  <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
              </wsdl:binding>
              <wsdl:service name="Registry"><wsdl:port name="BasicHttpBinding_IRegistry" binding="tns:BasicHttpBinding_IRegistry">
                <soap:address location="\(base)"/></wsdl:port></wsdl:service>
            </wsdl:definitions>
            """
        let contract = """
            <wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
                xmlns:tns="urn:contract" targetNamespace="urn:contract">
              <wsdl:types><xsd:schema targetNamespace="urn:contract/Imports">
                <xsd:import schemaLocation="\(base)?xsd=xsd0" namespace="urn:contract"/></xsd:schema></wsdl:types>
              <wsdl:message name="IRegistry_Find_InputMessage"><wsdl:part name="parameters" element="tns:Find"/></wsdl:message>
              <wsdl:message name="IRegistry_Find_OutputMessage"><wsdl:part name="parameters" element="tns:FindResponse"/></wsdl:message>
              <wsdl:portType name="IRegistry"><wsdl:operation name="Find">
                <wsdl:input message="tns:IRegistry_Find_InputMessage"/><wsdl:output message="tns:IRegistry_Find_OutputMessage"/></wsdl:operation></wsdl:portType>
            </wsdl:definitions>
            """
        let schema = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:contract" elementFormDefault="qualified">
              <xs:element name="Find"><xs:complexType><xs:sequence><xs:element name="ClientId" type="xs:long"/></xs:sequence></xs:complexType></xs:element>
              <xs:element name="FindResponse"><xs:complexType><xs:sequence><xs:element name="Name" type="xs:string" minOccurs="0"/></xs:sequence></xs:complexType></xs:element>
            </xs:schema>
            """
        let files = ["\(base)?wsdl": root, "\(base)?wsdl=wsdl0": contract, "\(base)?xsd=xsd0": schema]
        let out = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let output = try await WSDLImport.importURL("\(base)?wsdl", options: .init(name: "registry", outputDirectory: out.path)) { url in
            guard let text = files[url.absoluteString] else { throw WSDLImport.Failure("404 \(url)") }
            return Array(text.utf8)
        }
        #expect(output.unsupported.isEmpty, "\(output.unsupported)")
        #expect(output.operations.map(\.wsdlOperation) == ["Find"])
        #expect(output.contractFiles.sorted() == [
            "Contracts/registry/registry.wsdl", "Contracts/registry/schemas/Registry.svc-xsd-xsd0.xsd",
            "Contracts/registry/wsdl/Registry.svc-wsdl-wsdl0.wsdl",
        ])
        let imported = try String(contentsOf: out.appendingPathComponent("Contracts/registry/wsdl/Registry.svc-wsdl-wsdl0.wsdl"), encoding: .utf8)
        #expect(imported.contains("schemaLocation=\"../schemas/Registry.svc-xsd-xsd0.xsd\""), "relative to the imported WSDL itself")
        let rootCopy = try String(contentsOf: out.appendingPathComponent("Contracts/registry/registry.wsdl"), encoding: .utf8)
        #expect(rootCopy.contains("location=\"wsdl/Registry.svc-wsdl-wsdl0.wsdl\""))
        let document = try await Self.openAPI(of: out)
        #expect(document.paths["/v1/registry/find"]?.pathItemValue?.post?.requestBody != nil)
        let text = String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        #expect(text.contains("\"ClientId\""), "the request element from the imported WSDL's schema is described")
    }

    /// What a hostile or careless server could send: paths climbing out of the import folder,
    /// locations on their own line, line breaks in names that end up in YAML comments.
    @Test func importedNamesStayInsideAndCommentsStayComments() {
        let folder = "http://h/svc/"
        #expect(WSDLImport.stagedName(URL(string: "http://h/svc/types/x.xsd")!, folder: folder, taken: []) == "types/x.xsd")
        #expect(WSDLImport.stagedName(URL(string: "http://h/svc/a/%2e%2e/%2e%2e/x.xsd")!, folder: folder, taken: []) == "schemas/x.xsd")
        #expect(WSDLImport.stagedName(URL(string: "http://h/svc/a//x.xsd")!, folder: folder, taken: []) == "schemas/x.xsd")
        #expect(WSDLImport.stagedName(URL(string: "http://h/svc/types/x.xsd")!, folder: folder, taken: ["types/x.xsd"]) == "schemas/x.xsd")
        let climbing = URL(string: "http://h/svc/a/../../../../tmp/evil.xsd")!.absoluteURL.standardized
        #expect(!WSDLImport.stagedName(climbing, folder: folder, taken: []).contains(".."))
        let document = Array("<xs:import namespace=\"urn:a\"\n    schemaLocation = 'Svc.svc?xsd=xsd0&amp;v=1'/>".utf8)
        let rewritten = String(decoding: WSDLImport.rewritingLocation(
            "Svc.svc?xsd=xsd0&v=1", to: "schemas/a.xsd", attribute: "schemaLocation", in: document), as: UTF8.self)
        #expect(rewritten.contains("schemaLocation = 'schemas/a.xsd'"), "\(rewritten)")
        #expect(WSDLImport.commentText("line 3: xs:import a\nadapter: evil") == "line 3: xs:import a adapter: evil")
    }

    /// Operation names that differ only in case or separators get distinct operationIds and routes.
    @Test func nearlyEqualOperationNamesStayDistinct() async throws {
        let echo = Self.wsdl(extraImport: "")
        let twice = echo
            .replacingOccurrences(of: "<portType name=\"EchoPortType\"><operation name=\"Echo\">", with: "<portType name=\"EchoPortType\"><operation name=\"echo_\"><input message=\"tns:EchoIn\"/><output message=\"tns:EchoOut\"/></operation><operation name=\"Echo\">")
            .replacingOccurrences(of: "<binding name=\"EchoBinding\" type=\"tns:EchoPortType\">\n    <soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>", with: "<binding name=\"EchoBinding\" type=\"tns:EchoPortType\">\n    <soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/><operation name=\"echo_\"><soap:operation soapAction=\"urn:echo2\"/><input><soap:body use=\"literal\"/></input><output><soap:body use=\"literal\"/></output></operation>")
        try #require(twice != echo && twice.components(separatedBy: "operation name=\"echo_\"").count == 3, "the fixture gained a second operation")
        let out = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out.appendingPathComponent("types"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out.appendingPathComponent("more"), withIntermediateDirectories: true)
        try twice.write(to: out.appendingPathComponent("echo.wsdl"), atomically: true, encoding: .utf8)
        try Self.typesSchema.write(to: out.appendingPathComponent("types/echo.xsd"), atomically: true, encoding: .utf8)
        try Self.commonSchema.write(to: out.appendingPathComponent("more/common.xsd"), atomically: true, encoding: .utf8)
        let output = try WSDLImport.importFile(out.appendingPathComponent("echo.wsdl").path, options: .init(name: "echo", outputDirectory: out.path))
        #expect(Set(output.operations.map(\.name)) == ["echo", "echo2"], "\(output.operations)")
        let document = try await Self.openAPI(of: out)
        #expect(Set(document.allOperationIds) == ["echo", "echo2"])
    }

    /// Importing again over the same folder the WSDL is read from keeps the contract.
    @Test func overwriteInPlaceKeepsTheSources() throws {
        let out = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let folder = out.appendingPathComponent("Contracts/echo")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("types"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("more"), withIntermediateDirectories: true)
        try Self.wsdl(extraImport: "").write(to: folder.appendingPathComponent("echo.wsdl"), atomically: true, encoding: .utf8)
        try Self.typesSchema.write(to: folder.appendingPathComponent("types/echo.xsd"), atomically: true, encoding: .utf8)
        try Self.commonSchema.write(to: folder.appendingPathComponent("more/common.xsd"), atomically: true, encoding: .utf8)
        let output = try WSDLImport.importFile(
            folder.appendingPathComponent("echo.wsdl").path, options: .init(name: "echo", outputDirectory: out.path, overwrite: true))
        #expect(output.contractFiles.count == 3)
        for file in ["echo.wsdl", "types/echo.xsd", "more/common.xsd"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file) survived")
        }
    }

    @Test func stagedNamesAndRelativePaths() {
        #expect(WSDLImport.relativePath("types/a.xsd", from: "echo.wsdl") == "types/a.xsd")
        #expect(WSDLImport.relativePath("more/common.xsd", from: "types/echo.xsd") == "../more/common.xsd")
        #expect(WSDLImport.relativePath("schemas/x.xsd", from: "schemas/y.xsd") == "x.xsd")
        let url = URL(string: "http://h/svc/Service.svc?xsd=xsd1")!
        #expect(WSDLImport.stagedName(url, folder: "http://h/svc/", taken: []) == "schemas/Service.svc-xsd-xsd1.xsd")
        #expect(WSDLImport.stagedName(url, folder: "http://h/svc/", taken: ["schemas/Service.svc-xsd-xsd1.xsd"]) == "schemas/2-Service.svc-xsd-xsd1.xsd")
    }

    @Test func refusesToOverwriteAndChecksTheName() async throws {
        let out = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let wsdl = out.appendingPathComponent("echo.wsdl")
        try Self.wsdl(extraImport: "").write(to: wsdl, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: out.appendingPathComponent("types"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out.appendingPathComponent("more"), withIntermediateDirectories: true)
        try Self.typesSchema.write(to: out.appendingPathComponent("types/echo.xsd"), atomically: true, encoding: .utf8)
        try Self.commonSchema.write(to: out.appendingPathComponent("more/common.xsd"), atomically: true, encoding: .utf8)
        let first = try WSDLImport.importFile(wsdl.path, options: .init(outputDirectory: out.path))
        #expect(first.adapter == "echo-service")
        #expect(first.unsupported.isEmpty)
        #expect(throws: WSDLImport.Failure.self) { try WSDLImport.importFile(wsdl.path, options: .init(outputDirectory: out.path)) }
        _ = try WSDLImport.importFile(wsdl.path, options: .init(outputDirectory: out.path, overwrite: true))
        let badName = #expect(throws: WSDLImport.Failure.self) { try WSDLImport.importFile(wsdl.path, options: .init(name: "Echo_Service", outputDirectory: out.path)) }
        #expect(badName?.description.contains("lower-case letters") == true)
        let noPort = #expect(throws: WSDLImport.Failure.self) { try WSDLImport.importFile(wsdl.path, options: .init(service: "Other", outputDirectory: out.path)) }
        #expect(noPort?.description.contains("service EchoService, port EchoPort (SOAP 1.1)") == true)
        // The same service again under another name: its operationIds must not collide.
        let again = try WSDLImport.importFile(wsdl.path, options: .init(name: "echo-again", outputDirectory: out.path))
        #expect(again.operations.map(\.name) == ["echoAgainEcho"])
        let document = try await Self.openAPI(of: out)
        #expect(Set(document.allOperationIds) == ["echo", "echoAgainEcho"])
    }

    @Test func namesBecomeKebabRoutesAndCamelOperationIds() {
        #expect(WSDLImport.kebabCase("checkVatService") == "check-vat-service")
        #expect(WSDLImport.kebabCase("VATNumberLookup") == "vat-number-lookup")
        #expect(WSDLImport.kebabCase("Get_Case2") == "get-case2")
        #expect(WSDLImport.lowerCamelCase("get_case") == "getCase")
        #expect(WSDLImport.lowerCamelCase("GetHousehold") == "getHousehold")
        #expect(WSDLImport.lowerCamelCase("2fa") == "operation2fa")
    }
}
