import Foundation
import GatewayCore
import GatewayTesting
import XMLSOAP

/// The demo's SOAP service: a 2005-style tax-filing status service (SOAP 1.1, document/literal,
/// `Contracts/tax-filing/TaxFilingStatus.wsdl`), answering from a small table with hand-written
/// XML as such services do, and a declared `ClientNotFound` fault for unknown clients.
public struct TaxFilingSimulator: Sendable {
    static let namespace = "urn:example:tax:filing:2005"

    struct Filing {
        var filed: Bool
        var assessedIncome: String?
        var assessmentDate: String?
        var notices: [(code: String, lang: String, text: String)]
    }

    /// Client → tax year → filing.
    static let filings: [String: [String: Filing]] = [
        "10000001": [
            "2024": Filing(filed: true, assessedIncome: "52340.00", assessmentDate: "2025-05-02", notices: [
                ("NOA", "fr", "Avis de cotisation émis"), ("RRSP", "fr", "Plafond REER 2025 : 9 421,20 $"),
            ]),
            "2025": Filing(filed: false, assessedIncome: nil, assessmentDate: nil, notices: []),
        ],
        "10000002": [
            "2024": Filing(filed: true, assessedIncome: "38150.75", assessmentDate: "2025-04-18", notices: [
                ("NOA", "en", "Notice of assessment issued"),
            ]),
        ],
        "10000003": [:],
    ]

    public init() {}

    /// Starts answering POSTs on `port` (0: any free port).
    public func start(host: String = "127.0.0.1", port: Int) async throws -> HTTPServer {
        try await HTTPServer.start(host: host, port: port) { request in
            guard request.method == "POST" else { return HTTPServer.Response(status: 405) }
            let (status, body) = answer(request.body)
            return HTTPServer.Response(status: status, headers: [("Content-Type", "text/xml; charset=utf-8")], body: Array(body.utf8))
        }
    }

    /// The HTTP status and envelope for one request envelope.
    public func answer(_ bytes: [UInt8]) -> (Int, String) {
        guard let envelope = try? SOAPEnvelope.parse(bytes), let request = envelope.body.first,
            request.name == "GetFilingStatus", request.namespace == Self.namespace,
            let clientId = request.child("ClientId")?.text, let year = request.child("TaxYear")?.text
        else {
            return (500, Self.fault(code: "soap:Client", reason: "The request is not a GetFilingStatus request.", detail: ""))
        }
        guard let years = Self.filings[clientId] else {
            let detail = "<tns:ClientNotFound xmlns:tns=\"\(Self.namespace)\"><tns:ClientId>\(Self.escape(clientId))</tns:ClientId></tns:ClientNotFound>"
            return (500, Self.fault(code: "soap:Client", reason: "No taxpayer with this client number.", detail: detail))
        }
        let filing = years[year] ?? Filing(filed: false, assessedIncome: nil, assessmentDate: nil, notices: [])
        var xml = "<tns:GetFilingStatusResponse xmlns:tns=\"\(Self.namespace)\">"
        xml += "<tns:ClientId>\(Self.escape(clientId))</tns:ClientId><tns:TaxYear>\(Self.escape(year))</tns:TaxYear>"
        xml += "<tns:Filed>\(filing.filed)</tns:Filed>"
        if let income = filing.assessedIncome {
            xml += "<tns:AssessedIncome>\(income)</tns:AssessedIncome>"
        } else {
            xml += "<tns:AssessedIncome xsi:nil=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>"
        }
        if let date = filing.assessmentDate { xml += "<tns:AssessmentDate>\(date)</tns:AssessmentDate>" }
        for notice in filing.notices {
            xml += "<tns:Notice code=\"\(notice.code)\" lang=\"\(notice.lang)\">\(Self.escape(notice.text))</tns:Notice>"
        }
        xml += "</tns:GetFilingStatusResponse>"
        return (200, Self.envelope(xml))
    }

    static func envelope(_ body: String) -> String {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
            + body + "</soap:Body></soap:Envelope>"
    }

    static func fault(code: String, reason: String, detail: String) -> String {
        envelope("<soap:Fault><faultcode>\(code)</faultcode><faultstring>\(escape(reason))</faultstring>"
            + (detail.isEmpty ? "" : "<detail>\(detail)</detail>") + "</soap:Fault>")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
