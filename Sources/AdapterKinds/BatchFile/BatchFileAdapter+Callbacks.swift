import Crypto
import Foundation
import GatewayCore
import NIOCore
import Store

extension BatchFileAdapter {
    /// Attempts before a notice is given up; the wait doubles from 1 s, at most 10 min.
    static let callbackAttempts = 8

    /// Runs in its own task beside the pipeline, so a callback host that never answers does not
    /// hold up files. Sends every due completion notice: a POST of the job (as `GET …/jobs/{id}` shows it)
    /// signed with HMAC-SHA256 over `timestamp.body` in `Portage-Signature: t=…,v1=…` when a
    /// secret is declared. Any 2xx answer delivers it; anything else is retried with backoff.
    func sendCallbacks(_ store: any BatchStore) async throws {
        let secret = configuration.jobs?.callbackSecretVariable.flatMap { ProcessInfo.processInfo.environment[$0] }
        for job in try await store.pendingCallbacks(adapter: declaration.name) {
            guard let url = job.callbackURL, var callback = job.callback, let due = callback.nextAt, due <= now() else { continue }
            let body = JSONWriter().bytes(JobView.json(job, location: location(of: job.id)))
            var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Portage-Job", job.id)]
            let timestamp = String(now() / 1000)
            if let secret {
                headers.append(("Portage-Signature", "t=\(timestamp),v1=\(Self.signature(secret: secret, timestamp: timestamp, body: body))"))
            }
            callback.attempts += 1
            do {
                let answer = try await callbacks.post(body, to: url, headers: headers, deadline: .now() + .seconds(10))
                if (200..<300).contains(answer.status) {
                    callback.deliveredAt = now()
                    callback.nextAt = nil
                    callback.lastError = nil
                } else {
                    callback.lastError = "HTTP \(answer.status)"
                }
            } catch {
                callback.lastError = "\(error)"
            }
            if callback.deliveredAt == nil {
                let wait = min(Int64(1000) << Int64(callback.attempts - 1), 600_000)
                callback.nextAt = callback.attempts >= Self.callbackAttempts ? nil : now() + wait
                logger.warning("callback not delivered", metadata: [
                    "job": "\(job.id)", "attempt": "\(callback.attempts)", "error": "\(callback.lastError ?? "")",
                ])
            }
            try await store.updateCallback(adapter: declaration.name, id: job.id, callback: callback)
        }
    }

    /// One round of notices; a problem is logged and retried next round.
    func runCallbacks() async {
        guard configuration.jobs != nil, let store = state.withLock({ $0.store }) else { return }
        do {
            try await sendCallbacks(store)
        } catch {
            logger.error("callback round failed", metadata: ["problem": "\(error)"])
        }
    }

    /// Hex HMAC-SHA256 of `timestamp + "." + body`: what a receiver recomputes to trust a notice.
    static func signature(secret: String, timestamp: String, body: [UInt8]) -> String {
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message += body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
