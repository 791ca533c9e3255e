import Foundation
import GatewayCore
import Synchronization
import XMLSOAP

/// `endpoint.security.username-token`: the UsernameToken sent with every request. Credentials
/// come from the environment or from secret files, never from the declaration itself, and are
/// read once at start-up; they never appear in logs, problems or `/openapi.json`.
///
/// ```yaml
/// security:
///   username-token: { username: gateway, password-env: TAX_SOAP_PASSWORD, password-type: digest }
/// ```
final class UsernameTokenSecurity: Sendable {
    enum Source: Sendable, CustomStringConvertible {
        case literal(String)
        case environment(String)
        case file(String)

        var description: String {
            switch self {
            case .literal: return "the declaration"
            case .environment(let name): return "environment variable \(name)"
            case .file(let path): return "file \(path)"
            }
        }

        func read() throws -> String {
            switch self {
            case .literal(let text): return text
            case .environment(let name):
                guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                    throw GatewayError.notReady(reason: "the credential in environment variable \(name) is not set")
                }
                return value
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw GatewayError.notReady(reason: "the credential file \(path) cannot be read")
                }
                // Secret files commonly end with a newline that is not part of the secret.
                return text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
            }
        }
    }

    let username: Source
    let password: Source
    let type: WSSecurity.PasswordType
    private let credentials = Mutex<(String, String)?>(nil)

    init(username: Source, password: Source, type: WSSecurity.PasswordType) {
        self.username = username
        self.password = password
        self.type = type
    }

    static func read(_ node: DeclarationNode, reader: DeclarationReader) -> UsernameTokenSecurity? {
        guard reader.mapping(node, allowed: ["username-token"], required: ["username-token"]) != nil, let token = node["username-token"]
        else { return nil }
        let keys = ["username", "username-env", "username-file", "password-env", "password-file", "password-type"]
        guard reader.mapping(token, allowed: keys) != nil else { return nil }
        func source(_ name: String, literalAllowed: Bool) -> Source? {
            var found: [Source] = []
            if literalAllowed, let text = token[name].flatMap({ reader.string($0) }) { found.append(.literal(text)) }
            if let text = token["\(name)-env"].flatMap({ reader.string($0) }) { found.append(.environment(text)) }
            if let text = token["\(name)-file"].flatMap({ reader.string($0) }) { found.append(.file(text)) }
            if found.count != 1 {
                let choices = (literalAllowed ? ["\(name)"] : []) + ["\(name)-env", "\(name)-file"]
                reader.report(token, "declare exactly one of \(choices.joined(separator: ", "))"
                    + (literalAllowed ? "" : " (a password is never written in a declaration)"))
                return nil
            }
            return found[0]
        }
        let username = source("username", literalAllowed: true)
        let password = source("password", literalAllowed: false)
        var type = WSSecurity.PasswordType.digest
        if let typeNode = token["password-type"], let text = reader.string(typeNode) {
            if let parsed = WSSecurity.PasswordType(rawValue: text) { type = parsed } else {
                reader.report(typeNode, "password-type must be digest or text, found '\(text)'")
            }
        }
        guard let username, let password else { return nil }
        return UsernameTokenSecurity(username: username, password: password, type: type)
    }

    /// Reads the credentials (at start-up); a missing one is an error naming where it was looked for.
    func checkCredentials() throws {
        let pair = (try username.read(), try password.read())
        credentials.withLock { $0 = pair }
    }

    func header() throws -> [UInt8] {
        let pair = try credentials.withLock { current in
            if let current { return current }
            let pair = (try username.read(), try password.read())
            current = pair
            return pair
        }
        return WSSecurity.usernameToken(
            username: pair.0, password: pair.1, type: type, nonce: WSSecurity.freshNonce(), created: WSSecurity.now())
    }
}
