import FixedWidth
import Foundation
import GatewayCore
import GatewayTesting
import NIOCore

/// The demo's mainframe: a CICS-style client master transaction that answers EBCDIC records with
/// packed decimals over TCP (4-byte length prefix), laid out by the same copybooks the gateway reads.
public struct ClientMasterSimulator: Sendable {
    public let request: RecordLayout
    public let response: RecordLayout

    public init(contractsDirectory: String) throws {
        func layout(_ name: String) throws -> RecordLayout {
            let path = (contractsDirectory as NSString).appendingPathComponent("client-master/\(name)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try RecordLayout(copybook: Copybook.parse(text, file: name), codePage: .cp037)
        }
        request = try layout("CLIREQ.cpy")
        response = try layout("CLIRESP.cpy")
    }

    /// Starts answering on `port` (0: any free port).
    public func start(host: String = "127.0.0.1", port: Int) async throws -> RecordServer {
        try await RecordServer.start(host: host, port: port, framing: .lengthPrefix(bytes: 4)) { bytes in
            .record(answer(bytes))
        }
    }

    /// The response record for one request record.
    public func answer(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == request.length, let fields = try? request.decode(bytes),
            let function = fields["function"]?.scalarText, let id = fields["clientId"]?.scalarText
        else {
            return (try? response.encode(["rc": "12"])) ?? []
        }
        guard ["INQ", "DEP", "BAL"].contains(function) else { return (try? response.encode(["rc": "12"])) ?? [] }
        guard var client = Self.clients[id] else { return (try? response.encode(["rc": "04", "clientId": .number(id)])) ?? [] }
        if id == "10000004" { client = ["clientId": .number(id)] }
        client["rc"] = id == "10000004" ? "08" : "00"
        return (try? response.encode(client)) ?? []
    }

    /// The programme's clients, keyed by client number.
    static let clients: [String: JSONObject] = [
        "10000001": [
            "clientId": 10000001,
            "name": ["givenName": "Marie-Claude", "familyName": "Tremblay"],
            "birthDate": 19780412, "province": "QC", "language": "FR", "status": "A",
            "balance": .number("-125.40"), "monthlyAmount": .number("1284.17"), "lastPayment": 20261120,
            "ytdPaid": .number("14125.87"),
            "depCount": 2,
            "dependant": [
                ["depGivenName": "Léa", "depBirthDate": 20120903, "depRelation": "C"],
                ["depGivenName": "Samuel", "depBirthDate": 20150117, "depRelation": "C"],
            ],
        ],
        "10000002": [
            "clientId": 10000002,
            "name": ["givenName": "John", "familyName": "Okafor"],
            "birthDate": 19610729, "province": "ON", "language": "EN", "status": "A",
            "balance": .number("0.00"), "monthlyAmount": .number("912.50"), "lastPayment": 20261120,
            "ytdPaid": .number("10037.50"),
            "depCount": 0, "dependant": [],
        ],
        "10000003": [
            "clientId": 10000003,
            "name": ["givenName": "Aputi", "familyName": "Kilabuk"],
            "birthDate": 19890214, "province": "NU", "language": "EN", "status": "S",
            "balance": .number("2310.05"), "monthlyAmount": .number("0.00"), "lastPayment": 20260831,
            "ytdPaid": .number("6820.00"),
            "depCount": 1,
            "dependant": [["depGivenName": "Nuka", "depBirthDate": 20190506, "depRelation": "C"]],
        ],
        "10000004": [:],
    ]
}
