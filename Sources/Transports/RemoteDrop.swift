import CCurl
import Foundation
import GatewayCore
import Synchronization

/// A drop directory on a remote host, over SFTP (libcurl with libssh2) or FTP with TLS (FTPS):
/// listed with one long listing, written under a hidden temporary name then renamed, read and
/// removed. One connection, reused; calls are serialised.
///
/// SFTP: the host is authenticated by the SHA-256 fingerprint of its key (`ssh-keygen -lf
/// key.pub`) or a known-hosts file; the user by a private key file (and its passphrase), or a
/// password. FTPS: the host by its certificate (the system's CAs, or a declared CA file), the user
/// by a password; explicit TLS (`AUTH TLS` on the FTP port) or implicit (`ftps://`, port 990).
/// Plain FTP, which sends the password in clear, only when declared so.
public final class RemoteDrop: DropDirectory {
    public enum Scheme: String, Sendable {
        case sftp
        /// FTP, with TLS as `tls` says.
        case ftp
        /// FTP over TLS from the first byte (implicit FTPS).
        case ftps
    }

    /// FTP's TLS: required through `AUTH TLS` (explicit, the default) or none at all.
    public enum FTPSecurity: String, Sendable, CaseIterable {
        case explicit
        case none
    }

    public struct Configuration: Sendable {
        /// `sftp://host:port`, `ftp://host:port` or `ftps://host:port` (no path).
        public var server: String
        /// The directory on the server, absolute.
        public var directory: String
        public var user: String
        public var privateKeyFile: String?
        public var publicKeyFile: String?
        public var passphrase: String?
        public var password: String?
        /// Base64 SHA-256 of the host key, as `ssh-keygen -l -E sha256` prints it after `SHA256:`.
        public var hostKeySHA256: String?
        public var knownHostsFile: String?
        /// FTP only: TLS through `AUTH TLS`, or none.
        public var ftpSecurity: FTPSecurity
        /// FTPS: the CA certificates (PEM) the server's certificate must chain to; the system's otherwise.
        public var caFile: String?
        public var connectTimeout: Duration
        /// A transfer that moves nothing for this long ends with an error.
        public var timeout: Duration

        public init(
            server: String, directory: String, user: String, privateKeyFile: String? = nil, publicKeyFile: String? = nil,
            passphrase: String? = nil, password: String? = nil, hostKeySHA256: String? = nil, knownHostsFile: String? = nil,
            ftpSecurity: FTPSecurity = .explicit, caFile: String? = nil, connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(120)
        ) {
            self.server = server
            self.directory = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
            self.user = user
            self.privateKeyFile = privateKeyFile
            self.publicKeyFile = publicKeyFile
            self.passphrase = passphrase
            self.password = password
            self.hostKeySHA256 = hostKeySHA256
            self.knownHostsFile = knownHostsFile
            self.ftpSecurity = ftpSecurity
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.timeout = timeout
        }
    }

    public let configuration: Configuration
    public let scheme: Scheme
    private let handle: Mutex<Handle>

    /// One libcurl easy handle: it keeps the SSH connection open between calls.
    private final class Handle: @unchecked Sendable {
        let curl: UnsafeMutableRawPointer?
        init() { curl = curl_easy_init() }
        deinit { curl_easy_cleanup(curl) }
    }

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.scheme = configuration.server.lowercased().hasPrefix("ftps:") ? .ftps : configuration.server.lowercased().hasPrefix("ftp:") ? .ftp : .sftp
        _ = Self.globalInit
        handle = Mutex(Handle())
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public var location: String { configuration.server + configuration.directory }

    // MARK: DropDirectory

    public func list() throws(FileDrop.Failure) -> [FileDrop.Entry] {
        try listAll().filter { FileDrop.isPlainName($0.name) }
    }

    public func stage(_ bytes: [UInt8], as name: String) throws(FileDrop.Failure) {
        guard FileDrop.isPlainName(name) else { throw FileDrop.Failure(reason: .invalidName, path: location + "/" + name) }
        try perform(path: configuration.directory + "/" + FileDrop.temporaryName(for: name), upload: bytes)
    }

    public func publish(_ name: String) throws(FileDrop.Failure) {
        let directory = configuration.directory
        let from = directory + "/" + FileDrop.temporaryName(for: name)
        let to = directory + "/" + name
        try perform(path: directory + "/", commands: scheme == .sftp
            ? ["rename \(Self.quoted(from)) \(Self.quoted(to))"]
            : ["RNFR \(from)", "RNTO \(to)"])
    }

    public func isStaged(_ name: String) throws(FileDrop.Failure) -> Bool {
        try listAll().contains { $0.name == FileDrop.temporaryName(for: name) }
    }

    public func contains(_ name: String) throws(FileDrop.Failure) -> Bool {
        try listAll().contains { $0.name == name }
    }

    public func read(_ name: String) throws(FileDrop.Failure) -> [UInt8] {
        try perform(path: configuration.directory + "/" + name)
    }

    public func remove(_ name: String) throws(FileDrop.Failure) {
        let directory = configuration.directory
        // "*": a file that is not there is not an error.
        let paths = [directory + "/" + name, directory + "/" + FileDrop.temporaryName(for: name)]
        try perform(path: directory + "/", commands: paths.map { scheme == .sftp ? "*rm \(Self.quoted($0))" : "*DELE \($0)" })
    }

    // MARK: Listing

    /// Every entry of the long listing, hidden ones included. The time is the listing's text
    /// (minute precision on most servers), hashed: enough to see that a file changed.
    func listAll() throws(FileDrop.Failure) -> [FileDrop.Entry] {
        // FTP servers leave hidden files (the temporary names) out of LIST unless asked with -a.
        let text = String(decoding: try perform(path: configuration.directory + "/", method: scheme == .sftp ? nil : "LIST -a"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { Self.entry(String($0)) }
    }

    /// `-rw-r--r--    1 user     group        1234 Nov 28 01:02 NAME` → a regular file's entry.
    static func entry(_ line: String) -> FileDrop.Entry? {
        let line = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard line.hasPrefix("-") else { return nil }
        var fields: [Substring] = []
        var rest = Substring(line)
        for _ in 0..<8 {
            rest = rest.drop { $0 == " " }
            guard let end = rest.firstIndex(of: " ") else { return nil }
            fields.append(rest[..<end])
            rest = rest[end...]
        }
        let name = String(rest.dropFirst())
        guard !name.isEmpty, let size = Int64(fields[4]) else { return nil }
        let time = fields[5...7].joined(separator: " ").utf8.reduce(Int64(5381)) { ($0 &* 33) &+ Int64($1) }
        return FileDrop.Entry(name: name, size: size, modified: time)
    }

    static func quoted(_ path: String) -> String {
        "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: libcurl

    private final class Transfer {
        var received: [UInt8] = []
        let upload: [UInt8]
        var sent = 0
        init(upload: [UInt8]) { self.upload = upload }
    }

    /// One libcurl transfer on `path` (a directory ends with `/`): a download (or a listing), an
    /// upload when `upload` is given, or just `commands` (SFTP quote commands) when given.
    @discardableResult
    private func perform(path: String, upload: [UInt8]? = nil, commands: [String] = [], method: String? = nil) throws(FileDrop.Failure) -> [UInt8] {
        let configuration = configuration
        var url = configuration.server + path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0) }
            .joined(separator: "/")
        // An FTP URL's path is relative to the login directory; %2F makes it start at the root.
        if scheme != .sftp, path.hasPrefix("/") { url = configuration.server + "/%2F" + url.dropFirst(configuration.server.count + 1) }
        let result: Result<[UInt8], FileDrop.Failure> = handle.withLock { handle in
            guard let curl = handle.curl else { return .failure(FileDrop.Failure(reason: .other(ENOMEM), path: url)) }
            curl_easy_reset(curl)
            let transfer = Transfer(upload: upload ?? [])
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            var list: UnsafeMutablePointer<curl_slist>?
            defer { curl_slist_free_all(list) }
            portage_curl_set_string(curl, CURLOPT_URL, url)
            portage_curl_set_string(curl, CURLOPT_USERNAME, configuration.user)
            if let password = configuration.password { portage_curl_set_string(curl, CURLOPT_PASSWORD, password) }
            if let key = configuration.privateKeyFile {
                portage_curl_set_long(curl, CURLOPT_SSH_AUTH_TYPES, Int(CURLSSH_AUTH_PUBLICKEY))
                portage_curl_set_string(curl, CURLOPT_SSH_PRIVATE_KEYFILE, key)
                if let publicKey = configuration.publicKeyFile { portage_curl_set_string(curl, CURLOPT_SSH_PUBLIC_KEYFILE, publicKey) }
                if let passphrase = configuration.passphrase { portage_curl_set_string(curl, CURLOPT_KEYPASSWD, passphrase) }
            }
            if let fingerprint = configuration.hostKeySHA256 { portage_curl_set_string(curl, CURLOPT_SSH_HOST_PUBLIC_KEY_SHA256, fingerprint) }
            if let knownHosts = configuration.knownHostsFile { portage_curl_set_string(curl, CURLOPT_SSH_KNOWNHOSTS, knownHosts) }
            if scheme != .sftp {
                // Certificates are always verified (libcurl's default, set again here on purpose).
                if scheme == .ftps || configuration.ftpSecurity == .explicit {
                    portage_curl_set_long(curl, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
                }
                portage_curl_set_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
                portage_curl_set_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
                if let caFile = configuration.caFile { portage_curl_set_string(curl, CURLOPT_CAINFO, caFile) }
            }
            if let method { portage_curl_set_string(curl, CURLOPT_CUSTOMREQUEST, method) }
            portage_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout.milliseconds))
            // A transfer fails when it stalls (under 1 byte/s for `timeout`), not when it is long.
            portage_curl_set_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
            portage_curl_set_long(curl, CURLOPT_LOW_SPEED_TIME, max(1, Int(configuration.timeout.milliseconds / 1000)))
            portage_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
            portage_curl_set_pointer(curl, CURLOPT_WRITEDATA, context)
            portage_curl_set_io(curl, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                let length = size * count
                if let buffer { transfer.received.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length)) }
                return length
            }
            if let upload {
                portage_curl_set_long(curl, CURLOPT_UPLOAD, 1)
                portage_curl_set_offset(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count))
                portage_curl_set_pointer(curl, CURLOPT_READDATA, context)
                portage_curl_set_io(curl, CURLOPT_READFUNCTION) { buffer, size, count, context in
                    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                    let length = min(size * count, transfer.upload.count - transfer.sent)
                    transfer.upload.withUnsafeBytes { bytes in
                        if length > 0 { buffer!.update(from: bytes.baseAddress!.advanced(by: transfer.sent).assumingMemoryBound(to: CChar.self), count: length) }
                    }
                    transfer.sent += length
                    return length
                }
            }
            if !commands.isEmpty {
                for command in commands { list = curl_slist_append(list, command) }
                portage_curl_set_pointer(curl, CURLOPT_QUOTE, UnsafeMutableRawPointer(list))
                portage_curl_set_long(curl, CURLOPT_NOBODY, 1)
            }
            let code = curl_easy_perform(curl)
            guard code == CURLE_OK else {
                var text = String(cString: curl_easy_strerror(code))
                if code == CURLE_REMOTE_DISK_FULL { return .failure(FileDrop.Failure(reason: .noSpace, path: url)) }
                if [CURLE_REMOTE_ACCESS_DENIED, CURLE_REMOTE_FILE_NOT_FOUND, CURLE_UPLOAD_FAILED, CURLE_QUOTE_ERROR].contains(code) {
                    return .failure(FileDrop.Failure(reason: .notWritable, path: url))
                }
                text += " (libcurl \(code.rawValue))"
                return .failure(FileDrop.Failure(reason: .remote(text), path: url))
            }
            return .success(transfer.received)
        }
        return try result.get()
    }

}
