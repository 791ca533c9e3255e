import FixedWidth
import Foundation
import GatewayCore
import Store
import Transports

/// `batch-file`: a backend that only exchanges files. Job mode writes posted items as a request
/// file into the backend's inbox and reads its response file from the outbox; extract mode loads
/// the files it publishes (nightly extracts) and serves them as lookups and listings.
///
/// ```yaml
/// endpoint:
///   inbox: var/payments/inbox          # request files are written here (atomically)
///   outbox: var/payments/outbox        # the backend writes response and extract files here
///   archive: var/payments/archive      # handled files (default: <outbox>/../archive)
///   error: var/payments/error          # rejected files, each with a .reason.txt (default: <outbox>/../error)
///   journal: var/payments/journal.sqlite
///   done-marker: .done                 # optional; otherwise files are complete once quiet
///   quiet-period: 2s
///   poll-every: 1s
///   jobs:
///     request-file: "PAYREQ.{job}.DAT"
///     response-file: "PAYRES.{job}.DAT"
///     item: payment                    # the request record type of each posted item
///     header: { record: header, fields: { batchId: $job.id, createdOn: $job.date } }
///     trailer: trailer                 # totals filled from the layout's checks
///     results: [result]                # response record types returned (default: all data records)
///     deadline: 1h
///     max-items: 10000
///     callback-secret-env: PAYMENTS_CALLBACK_SECRET
///     callback-hosts: [hooks.example.gc.ca]    # default: any host but loopback and link-local
///   extract:
///     name: payments
///     file: "PAYEXT.*.DAT"
///     record: payment
///     key: paymentId
///     filters: [status, payeeAccount]
///     as-of: header.extractDate
/// contracts: { request: payments/request.yaml, response: payments/response.yaml, extract: payments/extract.yaml }
/// ```
/// Operations name what they do with `operation:` — `submit`, `job`, `results`, `lookup`, `list` —
/// and map caller inputs with `request:` (`job: $path.jobId`, `key: $path.paymentId`, `cursor`,
/// `limit`, and extract filters from the query).
public struct BatchFileKind: AdapterKind {
    public let name = "batch-file"
    static let endpointKeys = [
        "inbox", "outbox", "archive", "error", "journal", "done-marker", "quiet-period", "poll-every", "jobs", "extract", "remote", "incoming",
    ]
    static let remoteKeys = [
        "url", "user", "private-key-file", "public-key-file", "passphrase-env", "password-env", "host-key-sha256", "known-hosts",
        "connect-timeout", "timeout", "tls", "ca-file",
    ]
    static let jobKeys = ["request-file", "response-file", "item", "header", "trailer", "results", "deadline", "max-items", "callback-secret-env", "callback-hosts"]
    static let extractKeys = ["name", "file", "record", "key", "filters", "as-of"]

    public init() {}

    public func prepare(_ declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader) -> PreparedAdapter? {
        let before = reader.problems.count
        let endpoint = declaration.endpoint
        guard reader.mapping(endpoint, allowed: Self.endpointKeys, required: ["outbox", "journal"]) != nil else { return nil }
        let outbox = reader.string(endpoint["outbox"]) ?? ""
        let parent = (outbox as NSString).deletingLastPathComponent
        var configuration = BatchFileConfiguration(
            inbox: reader.string(endpoint["inbox"]) ?? "",
            outbox: outbox,
            archive: endpoint["archive"].flatMap(reader.string) ?? (parent as NSString).appendingPathComponent("archive"),
            error: endpoint["error"].flatMap(reader.string) ?? (parent as NSString).appendingPathComponent("error"),
            journal: reader.string(endpoint["journal"]) ?? "",
            doneMarker: endpoint["done-marker"].flatMap(reader.string),
            quietPeriod: reader.positiveDuration(endpoint["quiet-period"]) ?? .seconds(2),
            pollInterval: reader.positiveDuration(endpoint["poll-every"]) ?? .seconds(1),
            incoming: endpoint["incoming"].flatMap(reader.string)
                ?? ((reader.string(endpoint["journal"]) ?? "") as NSString).deletingLastPathComponent + "/incoming")
        if let node = endpoint["remote"] {
            configuration.remote = remote(node, directory: outbox, reader: reader)
            // On the host, paths start at its root (an FTP login directory differs between servers).
            for key in ["inbox", "outbox"] {
                if let pathNode = endpoint[key], let path = reader.string(pathNode), !path.hasPrefix("/") {
                    reader.report(pathNode, "with 'remote', \(key) is a directory on the host: give its absolute path")
                }
            }
        }
        if let marker = configuration.doneMarker, let node = endpoint["done-marker"], !marker.hasPrefix(".") || marker.contains("/") || marker.count < 2 {
            reader.report(node, "a done marker is a file name ending such as '.done'")
        }
        if let node = endpoint["jobs"] {
            if endpoint["inbox"] == nil { reader.report(endpoint, "job mode needs 'inbox': where request files are written") }
            configuration.jobs = jobs(node, declaration: declaration, environment: environment, reader: reader)
        }
        if let node = endpoint["extract"] {
            configuration.extract = extract(node, declaration: declaration, environment: environment, reader: reader)
        }
        if endpoint["jobs"] == nil && endpoint["extract"] == nil {
            reader.report(endpoint, "declare 'jobs' (request and response files), 'extract' (files served as lookups), or both")
        }
        let operations = BatchOperation.compile(declaration, configuration: configuration, reader: reader)
        guard reader.problems.count == before else { return nil }
        var logger = environment.logger
        logger[metadataKey: "adapter"] = "\(declaration.name)"
        let adapter = BatchFileAdapter(
            declaration: declaration, configuration: configuration, operations: operations, logger: logger,
            eventLoopGroup: environment.eventLoopGroup)
        return PreparedAdapter(adapter: adapter, operations: operations.mapValues(\.schema))
    }

    /// `remote: { url: sftp://host:port, user, private-key-file | password-env, host-key-sha256 | known-hosts }`:
    /// the host is always authenticated — by its key's SHA-256 fingerprint or a known-hosts file.
    /// `remote: { url: ftp://host:port | ftps://host:port, user, password-env, ca-file, tls }`: FTP
    /// with TLS (`AUTH TLS` on `ftp://`, implicit on `ftps://`), the certificate always verified;
    /// plain FTP only with `tls: none`.
    func remote(_ node: DeclarationNode, directory: String, reader: DeclarationReader) -> RemoteDrop.Configuration? {
        guard reader.mapping(node, allowed: Self.remoteKeys, required: ["url", "user"]) != nil else { return nil }
        let url = reader.string(node["url"]) ?? ""
        let scheme = URL(string: url)?.scheme?.lowercased()
        if let urlNode = node["url"], !url.isEmpty {
            let parsed = URL(string: url)
            if !["sftp", "ftp", "ftps"].contains(scheme ?? "") || parsed?.host == nil || !(parsed?.path ?? "").isEmpty || parsed?.user != nil {
                reader.report(urlNode, "expected sftp://host[:port], ftp://host[:port] or ftps://host[:port], without a path or a user (inbox and outbox give the directories; user is its own key)")
            }
        }
        let environment = ProcessInfo.processInfo.environment
        var ftpSecurity = RemoteDrop.FTPSecurity.explicit
        if scheme == "sftp" || scheme == nil {
            for key in ["tls", "ca-file"] where node[key] != nil {
                reader.report(node[key]!, "'\(key)' is for FTP; an SFTP host is recognised by host-key-sha256 or known-hosts")
            }
            if node["host-key-sha256"] == nil && node["known-hosts"] == nil {
                reader.report(node, "declare how to recognise the host: host-key-sha256 (ssh-keygen -lf KEY.pub -E sha256) or known-hosts (a file)")
            }
            if node["private-key-file"] == nil && node["password-env"] == nil {
                reader.report(node, "declare how to log in: private-key-file (and passphrase-env), or password-env")
            }
        } else {
            for key in ["private-key-file", "public-key-file", "passphrase-env", "host-key-sha256", "known-hosts"] where node[key] != nil {
                reader.report(node[key]!, "'\(key)' is for SFTP; an FTPS host is recognised by its certificate (ca-file, or the system's CAs)")
            }
            if node["password-env"] == nil { reader.report(node, "declare password-env: the environment variable holding the FTP password") }
            if let tlsNode = node["tls"], let text = reader.string(tlsNode) {
                if let security = RemoteDrop.FTPSecurity(rawValue: text), scheme == "ftp" {
                    ftpSecurity = security
                    if security == .none, let caNode = node["ca-file"] {
                        reader.report(caNode, "'ca-file' has nothing to check with 'tls: none'")
                    }
                } else {
                    reader.report(tlsNode, scheme == "ftps"
                        ? "ftps:// is TLS from the start; 'tls' applies to ftp://"
                        : "expected explicit (AUTH TLS, the default) or none (plain FTP: the password crosses the network in clear)")
                }
            }
        }
        var fingerprint = node["host-key-sha256"].flatMap(reader.string)
        if let text = fingerprint, text.hasPrefix("SHA256:") { fingerprint = String(text.dropFirst(7)) }
        return RemoteDrop.Configuration(
            server: url, directory: directory, user: reader.string(node["user"]) ?? "",
            privateKeyFile: node["private-key-file"].flatMap(reader.string), publicKeyFile: node["public-key-file"].flatMap(reader.string),
            passphrase: node["passphrase-env"].flatMap(reader.string).flatMap { environment[$0] },
            password: node["password-env"].flatMap(reader.string).flatMap { environment[$0] },
            hostKeySHA256: fingerprint, knownHostsFile: node["known-hosts"].flatMap(reader.string),
            ftpSecurity: ftpSecurity, caFile: node["ca-file"].flatMap(reader.string),
            connectTimeout: reader.positiveDuration(node["connect-timeout"]) ?? .seconds(5),
            timeout: reader.positiveDuration(node["timeout"]) ?? .seconds(120))
    }

    func layout(_ role: String, declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader, at node: DeclarationNode) -> FileLayout? {
        guard let reference = declaration.contracts[role] else {
            reader.report(node, "no '\(role)' contract: declare contracts.\(role), a file layout (.yaml, see Contracts/formats/README.md)")
            return nil
        }
        let path = (environment.contractsDirectory as NSString).appendingPathComponent(reference.path)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            reader.report(reference.node, "cannot read the layout \(reference.path)")
            return nil
        }
        do {
            return try FileLayout(yaml: text, file: reference.path)
        } catch {
            error.problems.forEach(reader.report)
            return nil
        }
    }

    func recordType(_ node: DeclarationNode?, in layout: FileLayout, reader: DeclarationReader) -> String? {
        guard let node, let name = reader.string(node) else { return nil }
        guard layout.recordType(named: name) != nil else {
            reader.report(node, "record type '\(name)' is not in the layout \(layout.name); it has \(layout.recordTypes.map(\.name).joined(separator: ", "))")
            return nil
        }
        return name
    }

    func pattern(_ node: DeclarationNode?, placeholder: String, reader: DeclarationReader) -> NamePattern? {
        guard let node, let text = reader.string(node) else { return nil }
        guard let pattern = NamePattern(text, placeholder: placeholder), FileDrop.isPlainName(pattern.name("X")) else {
            reader.report(node, "expected a plain file name with one \(placeholder), such as 'PAYREQ.\(placeholder).DAT'")
            return nil
        }
        return pattern
    }

    func jobs(_ node: DeclarationNode, declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader) -> BatchFileConfiguration.Jobs? {
        guard reader.mapping(node, allowed: Self.jobKeys, required: ["request-file", "response-file", "item"]) != nil else { return nil }
        let request = layout("request", declaration: declaration, environment: environment, reader: reader, at: node)
        let response = layout("response", declaration: declaration, environment: environment, reader: reader, at: node)
        let requestFile = pattern(node["request-file"], placeholder: "{job}", reader: reader)
        let responseFile = pattern(node["response-file"], placeholder: "{job}", reader: reader)
        guard let request, let response, let requestFile, let responseFile else { return nil }
        if requestFile == responseFile, let node = node["response-file"] {
            reader.report(node, "the response file name must differ from the request file name")
        }
        guard let item = recordType(node["item"], in: request, reader: reader) else { return nil }
        var header: (String, [(String, String)])?
        if let headerNode = node["header"], reader.mapping(headerNode, allowed: ["record", "fields"], required: ["record"]) != nil,
            let record = recordType(headerNode["record"], in: request, reader: reader)
        {
            var fields: [(String, String)] = []
            for entry in headerNode["fields"].flatMap({ reader.mapping($0) }) ?? [] {
                guard let value = reader.string(entry.value) else { continue }
                if request.recordType(named: record)?.layout.fields[entry.key] == nil {
                    reader.report(entry.keyNode, "field \(entry.key) is not in the record type \(record)")
                } else if value.hasPrefix("$"), !["$job.id", "$job.date", "$job.time", "$job.items"].contains(value) {
                    reader.report(entry.value, "unknown value '\(value)'; one of $job.id, $job.date, $job.time, $job.items, or a constant")
                }
                fields.append((entry.key, value))
            }
            header = (record, fields)
        }
        let trailer = recordType(node["trailer"], in: request, reader: reader)
        var results = Set<String>()
        if let resultsNode = node["results"] {
            for item in resultsNode.sequence ?? [] {
                if let name = recordType(item, in: response, reader: reader) { results.insert(name) }
            }
            if resultsNode.sequence == nil { reader.report(resultsNode, "expected a list of record types") }
        } else {
            let framing = Set(response.scopes.flatMap { [$0.header, $0.trailer] })
            results = Set(response.recordTypes.filter { $0.output && !framing.contains($0.name) }.map(\.name))
        }
        return BatchFileConfiguration.Jobs(
            requestLayout: request, responseLayout: response, requestFile: requestFile, responseFile: responseFile,
            itemRecord: item, header: header, trailer: trailer, results: results,
            deadline: reader.positiveDuration(node["deadline"]) ?? .seconds(3600),
            maxItems: node["max-items"].flatMap { reader.integer($0, in: 1...1_000_000) } ?? 10_000,
            callbackSecretVariable: node["callback-secret-env"].flatMap(reader.string),
            callbackHosts: node["callback-hosts"].map { hosts in
                if hosts.sequence == nil { reader.report(hosts, "expected a list of host names or addresses") }
                return Set((hosts.sequence ?? []).compactMap(reader.string).map { $0.lowercased() })
            })
    }

    func extract(_ node: DeclarationNode, declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader) -> BatchFileConfiguration.Extract? {
        guard reader.mapping(node, allowed: Self.extractKeys, required: ["file", "record", "key"]) != nil else { return nil }
        guard let layout = layout("extract", declaration: declaration, environment: environment, reader: reader, at: node),
            let file = pattern(node["file"], placeholder: "*", reader: reader),
            let record = recordType(node["record"], in: layout, reader: reader)
        else { return nil }
        let fields = layout.recordType(named: record)!.layout.fields
        func field(_ node: DeclarationNode) -> String? {
            guard let name = reader.string(node) else { return nil }
            guard let field = fields[name], field.codec != nil, field.occurs == nil else {
                reader.report(node, "\(name) is not an elementary field of the record type \(record)")
                return nil
            }
            return name
        }
        guard let key = node["key"].flatMap(field) else { return nil }
        let filters = (node["filters"]?.sequence ?? []).compactMap(field)
        var asOf: (String, String)?
        if let asOfNode = node["as-of"], let text = reader.string(asOfNode) {
            let parts = text.split(separator: ".").map(String.init)
            if parts.count == 2, layout.recordType(named: parts[0])?.layout.fields[parts[1]] != nil {
                asOf = (parts[0], parts[1])
            } else {
                reader.report(asOfNode, "expected record-type.field of the extract layout, such as header.extractDate")
            }
        }
        return BatchFileConfiguration.Extract(
            layout: layout, name: node["name"].flatMap(reader.string) ?? declaration.name, file: file, record: record, key: key,
            filters: filters, asOf: asOf)
    }
}

