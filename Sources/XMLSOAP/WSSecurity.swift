import Crypto
import Foundation

/// WS-Security UsernameToken header blocks (OASIS Username Token Profile 1.0/1.1).
public enum WSSecurity {
    static let secext = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    static let utility = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    static let profile = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    static let base64Binary = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"

    public enum PasswordType: String, Sendable {
        /// The password itself (only over TLS).
        case text
        /// Base64(SHA-1(nonce + created + password)): the password never crosses the wire.
        case digest
    }

    /// The `wsse:Security` header block. `nonce` and `created` are parameters so tests can check
    /// the digest against a known answer; callers use `freshNonce()` and `now()`.
    public static func usernameToken(
        username: String, password: String, type: PasswordType, nonce: [UInt8], created: String
    ) -> [UInt8] {
        let passwordValue: String
        switch type {
        case .text: passwordValue = password
        case .digest: passwordValue = digest(nonce: nonce, created: created, password: password)
        }
        func escape(_ text: String) -> String { SchemaXMLEncoder.escape(text, attribute: false) }
        var xml = "<wsse:Security xmlns:wsse=\"\(secext)\" xmlns:wsu=\"\(utility)\"><wsse:UsernameToken>"
        xml += "<wsse:Username>\(escape(username))</wsse:Username>"
        xml += "<wsse:Password Type=\"\(profile)#Password\(type == .digest ? "Digest" : "Text")\">\(escape(passwordValue))</wsse:Password>"
        xml += "<wsse:Nonce EncodingType=\"\(base64Binary)\">\(Data(nonce).base64EncodedString())</wsse:Nonce>"
        xml += "<wsu:Created>\(created)</wsu:Created></wsse:UsernameToken></wsse:Security>"
        return Array(xml.utf8)
    }

    public static func digest(nonce: [UInt8], created: String, password: String) -> String {
        var hash = Insecure.SHA1()
        hash.update(data: nonce)
        hash.update(data: Array(created.utf8))
        hash.update(data: Array(password.utf8))
        return Data(hash.finalize()).base64EncodedString()
    }

    public static func freshNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The current time as the profile writes it: UTC, milliseconds, `Z`.
    public static func now() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
