import Foundation
import Testing
import XMLSOAP

/// Every WSDL of the corpus reads: operations reachable through SOAP ports, and what Portage does
/// not support named with its line.
@Suite("WSDL 1.1", .enabled(if: Corpus.enabled, Corpus.skipReason))
struct WSDLTests {
    static let files = [
        "dataaccess_NumberConversion.wsdl", "interhome.wsdl", "oorsprong_CountryInfoService.wsdl", "taxcloud.wsdl",
        "vies_checkVatService.wsdl", "wasabi_geotrust.wsdl", "wasabi_juniper.wsdl", "wasabi_namespaced_actions.wsdl",
        "wasabi_soap12.wsdl", "wasabi_tradetracker.wsdl", "zeep_claim.wsdl", "zeep_http.wsdl", "zeep_soap.wsdl",
        "zeep_soap_header.wsdl", "zeep_soap_transport_err.wsdl",
    ]

    static func wsdl(_ file: String) throws -> WSDL {
        try WSDL.parse(try Corpus.data("soap/wsdl/\(file)"))
    }

    @Test(arguments: files)
    func everyWSDLReadsOrNamesWhatItLacks(file: String) throws {
        let wsdl = try Self.wsdl(file)
        let versions = Set(wsdl.operations.map(\.version.rawValue)).sorted()
        print("wsdl \(file): \(wsdl.operations.count) operations (SOAP \(versions.joined(separator: ", "))), \(wsdl.schemas.count) schemas, unsupported: \(wsdl.unsupported.map(\.description))")
        #expect(!wsdl.operations.isEmpty || !wsdl.unsupported.isEmpty, "neither operations nor a reason")
        for operation in wsdl.operations {
            #expect(operation.input != nil, "\(file) \(operation.binding.name): input message resolved")
        }
    }

    @Test func viesCheckVat() throws {
        let wsdl = try Self.wsdl("vies_checkVatService.wsdl")
        #expect(wsdl.operations.map(\.binding.name) == ["checkVat", "checkVatApprox"])
        let checkVat = try #require(wsdl.operations.first)
        #expect(checkVat.service == "checkVatService")
        #expect(checkVat.version == .soap11)
        #expect(checkVat.binding.style == .document && checkVat.binding.inputUse == .literal)
        #expect(checkVat.address?.hasSuffix("/checkVatService") == true)
        #expect(checkVat.input?.parts.first?.element?.name == "checkVat")
        #expect(checkVat.output?.parts.first?.element?.name == "checkVatResponse")
        #expect(wsdl.schemas.count == 1)
        #expect(wsdl.unsupported.isEmpty)
    }

    @Test func bothSOAPVersionsOfOneService() throws {
        let wsdl = try Self.wsdl("dataaccess_NumberConversion.wsdl")
        let byVersion = Dictionary(grouping: wsdl.operations, by: \.version)
        #expect(byVersion[.soap11]?.map(\.binding.name) == byVersion[.soap12]?.map(\.binding.name))
        #expect(byVersion[.soap11]?.isEmpty == false)
    }

    @Test func bindingsPortageCannotUseAreNamed() throws {
        let http = try Self.wsdl("zeep_http.wsdl")
        #expect(http.operations.isEmpty)
        #expect(http.unsupported.contains { $0.reason.contains("not a SOAP binding") })
        let tcp = try Self.wsdl("zeep_soap_transport_err.wsdl")
        #expect(tcp.unsupported.contains { $0.reason.contains("is not SOAP over HTTP") })
    }

    @Test func rpcBindings() throws {
        let wsdl = try Self.wsdl("zeep_claim.wsdl")
        #expect(wsdl.operations.allSatisfy { $0.binding.style == .rpc })
        #expect(!wsdl.operations.isEmpty)
    }

    @Test func notAWSDL() {
        #expect(throws: SOAPError.self) { try WSDL.parse(Array("<description xmlns=\"http://www.w3.org/ns/wsdl\"/>".utf8)) }
        #expect(throws: SOAPError.self) { try WSDL.parse(Array("<definitions/>".utf8)) }
    }
}
