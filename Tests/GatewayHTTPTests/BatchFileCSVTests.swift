import Foundation
import GatewayCore
import GatewayHTTP
import HummingbirdTesting
import Logging
import NIOPosix
import Testing
import Transports

/// The batch-file kind with CSV layouts: a request file written as CSV, a CSV response read back
/// (quoted values, a value over two lines), a `;`-separated extract with a header row and decimal
/// commas served as lookups. The test plays the batch system by hand over the drop directories.
@Suite("batch-file: CSV request, response and extract files")
struct BatchFileCSVTests {
    static let adapter = """
        adapter: deposits
        kind: batch-file
        title: { en: Deposits, fr: Dépôts }
        endpoint:
          inbox: ROOT/inbox
          outbox: ROOT/outbox
          archive: ROOT/archive
          error: ROOT/error
          journal: ROOT/journal.sqlite
          done-marker: .done
          poll-every: 50ms
          jobs:
            request-file: "DEPREQ.{job}.CSV"
            response-file: "DEPRES.{job}.CSV"
            item: deposit
            header: { record: header, fields: { batchId: $job.id } }
            trailer: trailer
            results: [result]
            deadline: 1h
            max-items: 100
          extract:
            name: clients
            file: "CLIENTS.*.CSV"
            record: client
            key: clientId
            filters: [region]
        contracts:
          request: csv/deposit-request.yaml
          response: csv/deposit-result.yaml
          extract: csv/clients.yaml
        operations:
          submitDeposits:
            route: POST /v1/deposit-batches
            operation: submit
            summary: { en: Send deposits, fr: Transmettre des dépôts }
          getDeposits:
            route: GET /v1/deposit-batches/{jobId}
            operation: job
            summary: { en: Follow deposits, fr: Suivre des dépôts }
            request: { job: $path.jobId }
          listDepositResults:
            route: GET /v1/deposit-batches/{jobId}/results
            operation: results
            summary: { en: Deposit results, fr: Résultats des dépôts }
            request: { job: $path.jobId, cursor: $query.cursor, limit: $query.limit }
          getClient:
            route: GET /v1/clients/{clientId}
            operation: lookup
            summary: { en: A client, fr: Un client }
            request: { key: $path.clientId }
          listClients:
            route: GET /v1/clients
            operation: list
            summary: { en: Clients, fr: Clients }
            request: { region: $query.region, cursor: $query.cursor, limit: $query.limit }
        """

    static let request = """
        layout: deposit-request
        format: csv
        encoding: latin1
        line-ending: crlf
        records:
          header:
            when: {column: 1, equals: H}
            fields:
              - {name: batchId, column: 2, length: 16}
          deposit:
            when: {column: 1, equals: D}
            fields:
              - {name: depositId, column: 2, length: 10}
              - {name: payee, length: 30}
              - {name: amount, type: number, length: 9, scale: 2}
          trailer:
            when: {column: 1, equals: T}
            fields:
              - {name: count, column: 2, type: number, length: 6}
              - {name: total, type: number, length: 11, scale: 2}
        structure:
          file: {header: header, contains: deposit, trailer: trailer}
        checks:
          - {scope: file, field: trailer.count, count: deposit}
          - {scope: file, field: trailer.total, sum: deposit.amount}
        """

    static let response = """
        layout: deposit-result
        format: csv
        encoding: utf-8
        records:
          header:
            when: {column: 1, equals: H}
            fields:
              - {name: batchId, column: 2, length: 16}
          result:
            when: {column: 1, equals: R}
            fields:
              - {name: depositId, column: 2, length: 10}
              - {name: status, length: 8}
              - {name: note, length: 60}
          trailer:
            when: {column: 1, equals: T}
            fields:
              - {name: count, column: 2, type: number, length: 6}
        structure:
          file: {header: header, contains: result, trailer: trailer}
        checks:
          - {scope: file, field: trailer.count, count: result}
        """

    static let clients = """
        layout: clients
        format: csv
        encoding: utf-8
        delimiter: ";"
        decimal-mark: comma
        header-row: true
        records:
          client:
            fields:
              - {name: clientId, heading: No client, length: 8}
              - {name: name, heading: Nom, length: 40}
              - {name: region, heading: Région, length: 2}
              - {name: balance, heading: Solde, type: number, length: 9, scale: 2, signed: true}
        """

    struct Setup {
        let root: String
        let gateway: Gateway

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("portage-csv-\(UUID().uuidString)").path
            for directory in ["Adapters", "Contracts/csv", "outbox"] {
                try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
            }
            try BatchFileCSVTests.adapter.replacingOccurrences(of: "ROOT", with: root).write(toFile: root + "/Adapters/deposits.yaml", atomically: true, encoding: .utf8)
            for (name, text) in [("deposit-request", request), ("deposit-result", response), ("clients", clients)] {
                try text.write(toFile: root + "/Contracts/csv/\(name).yaml", atomically: true, encoding: .utf8)
            }
            gateway = try Gateway.load(
                adaptersDirectory: root + "/Adapters", contractsDirectory: root + "/Contracts",
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "csv-test"))
        }

        /// Drops a file the way the batch system does: the file, then its done marker.
        func drop(_ name: String, _ bytes: [UInt8]) throws {
            let outbox = FileDrop(directory: root + "/outbox")
            try outbox.write(bytes, as: name, doneMarker: ".done")
        }
    }

    @Test("a job goes out as a CSV file and its CSV response comes back as results; an extract is looked up")
    func jobAndExtract() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.root) }
        let adapter = setup.gateway.adapters[0].adapter
        try await adapter.start()
        try await setup.gateway.makeApplication(port: 0, logger: Logger(label: "csv-test")).test(.router) { client in
            let body = #"{"items":[{"depositId":"DEP01","payee":"Côté, Émile","amount":120.5},{"depositId":"DEP02","payee":"Roy","amount":"0.25"}]}"#
            let accepted = try await client.json("/v1/deposit-batches", method: .post, body: body)
            #expect(accepted.status == 202)
            let id = try #require(accepted.json["id"]?.scalarText)

            // The request file, as the batch system finds it.
            let requestPath = setup.root + "/inbox/DEPREQ.\(id).CSV"
            let deadline = ContinuousClock.now + .seconds(10)
            while !FileManager.default.fileExists(atPath: requestPath), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let request = try [UInt8](Data(contentsOf: URL(fileURLWithPath: requestPath)))
            #expect(String(decoding: request.map { UInt16($0) }, as: UTF16.self) == "H,\(id)\r\nD,DEP01,\"Côté, Émile\",120.50\r\nD,DEP02,Roy,0.25\r\nT,2,120.75\r\n")

            try setup.drop("DEPRES.\(id).CSV", Array("H,\(id)\nR,DEP01,PAID,\"Sent, ref \"\"EFT-1\"\"\"\nR,DEP02,HELD,\"Account closed;\nsee branch\"\nT,2\n".utf8))
            let job = try await client.awaitJob("/v1/deposit-batches/\(id)", ["completed", "failed"])
            #expect(job["state"] == "completed", "\(job)")
            let results = try await client.json("/v1/deposit-batches/\(id)/results").json
            #expect(results["items"]?[0]?["note"] == "Sent, ref \"EFT-1\"")
            #expect(results["items"]?[1]?["note"] == "Account closed;\nsee branch")
            #expect(results["items"]?[1]?["status"] == "HELD")

            // A bad item is refused before anything is written.
            let refused = try await client.json("/v1/deposit-batches", method: .post, body: #"{"items":[{"depositId":"DEP03","payee":"X","amount":1.234}]}"#)
            #expect(refused.status == 400)
            #expect(refused.json["detail"]?.scalarText?.contains("amount") == true, "\(refused.json)")

            try setup.drop("CLIENTS.20261127.CSV", Array("No client;Nom;Région;Solde\n10000001;\"Gagnon; Éloïse\";QC;-1250,50\n10000002;Roy;ON;0,00\n10000003;Tremblay;QC;12,00\n".utf8))
            var found = try await client.json("/v1/clients/10000001")
            let lookupDeadline = ContinuousClock.now + .seconds(10)
            while found.status != 200, ContinuousClock.now < lookupDeadline {
                try await Task.sleep(for: .milliseconds(30))
                found = try await client.json("/v1/clients/10000001")
            }
            #expect(found.json["record"]?["name"] == "Gagnon; Éloïse")
            #expect(found.json["record"]?["balance"] == .number("-1250.50"))
            let quebec = try await client.json("/v1/clients?region=QC").json
            #expect(quebec["items"]?.arrayCount == 2)
        }
        await adapter.shutdown()
    }
}

extension JSONValue {
    fileprivate var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }
}
