import GatewayCore
import Logging
import NIOCore

/// No call during a declared maintenance window: `503 backend-maintenance` with `Retry-After` at
/// the window's end (the cache, outside, may still answer from a stale copy).
public struct MaintenanceMiddleware: AdapterMiddleware {
    let backend: BackendGuard

    public init(backend: BackendGuard) { self.backend = backend }

    public func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse {
        if let window = backend.maintenanceEnd() {
            backend.count { $0.maintenanceRejected += 1 }
            throw GatewayError.maintenance(adapter: backend.name, retryAfter: .seconds(window.seconds))
        }
        return try await next(request, logger)
    }
}

/// Each attempt asks the backend's circuit breaker first; an open circuit fails at once with
/// `503 backend-circuit-open` and `Retry-After`, without touching the backend.
public struct CircuitBreakerMiddleware: AdapterMiddleware {
    let backend: BackendGuard

    public init(backend: BackendGuard) { self.backend = backend }

    public func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse {
        let trial: Int?
        switch backend.admit() {
        case .reject(let retryAfter):
            throw GatewayError.circuitOpen(adapter: backend.name, retryAfter: retryAfter)
        case .allow(let period):
            trial = period
        }
        let started = ContinuousClock.now
        do {
            let response = try await next(request, logger)
            backend.record(success: true, trial: trial, duration: ContinuousClock.now - started)
            return response
        } catch {
            switch BackendGuard.verdict(error) {
            case .untouched:
                // Shed by the bulkhead, cancelled by the caller: says nothing about the backend.
                if let trial { backend.returnTrial(trial) }
            case .answered:
                backend.record(success: true, trial: trial, duration: ContinuousClock.now - started)
            case .failed:
                backend.record(success: false, trial: trial, duration: ContinuousClock.now - started)
                if backend.circuit == .open { logger.warning("circuit open", metadata: ["adapter": "\(backend.name)"]) }
            }
            throw error
        }
    }
}

/// The bulkhead: at most `concurrency.max` attempts in flight, `concurrency.queue` waiting (each
/// until its deadline), the rest shed with `503 backend-overloaded`.
public struct ConcurrencyLimitMiddleware: AdapterMiddleware {
    let backend: BackendGuard

    public init(backend: BackendGuard) { self.backend = backend }

    public func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse {
        switch await backend.limit.acquire(timeout: request.remaining) {
        case .admitted:
            break
        case .shed:
            throw GatewayError.overloaded(adapter: backend.name, waited: false)
        case .timedOut:
            try Task.checkCancellation()
            throw GatewayError.overloaded(adapter: backend.name, waited: true)
        }
        defer { backend.limit.release() }
        // A place that came free just as the deadline passed is of no use.
        guard request.deadline > .now() else { throw GatewayError.overloaded(adapter: backend.name, waited: true) }
        return try await next(request, logger)
    }
}

/// Tries again what may succeed on a second attempt — a backend-layer error marked retryable
/// (refused or reset connections, timeouts, "busy" answers, declared return codes) — for reads,
/// and for writes with an `Idempotency-Key` only when the backend was never reached; with
/// full-jitter backoff (at least the backend's own `Retry-After`), inside the request's deadline
/// and the backend's budget.
public struct RetryMiddleware: AdapterMiddleware {
    let backend: BackendGuard
    /// Operations that only read (GET routes).
    let reads: Set<String>

    public init(backend: BackendGuard, reads: Set<String>) {
        self.backend = backend
        self.reads = reads
    }

    public func call(_ request: AdapterRequest, logger: Logger, next: @escaping AdapterHandler) async throws -> AdapterResponse {
        let policy = backend.policy.retry
        let read = reads.contains(request.operation)
        let keyed = request.headers["idempotency-key"] != nil
        backend.recordFirstAttempt()
        let backoff = Backoff(base: policy.backoff, maximum: policy.maxBackoff)
        var attempt = 1
        while true {
            var attemptRequest = request
            if let perAttempt = policy.perAttempt {
                attemptRequest.deadline = min(request.deadline, .now() + perAttempt.timeAmount)
            }
            do {
                return try await next(attemptRequest, logger)
            } catch let error as GatewayError
                where error.retryable && error.layer == .backend && attempt < policy.attempts
                // A write is tried again only when it cannot have reached the backend: most legacy
                // systems do not know Idempotency-Key, so a write cut off mid-answer may have happened.
                && (read || (keyed && error.code == "backend-unreachable"))
            {
                var delay = backoff.delay(retry: attempt, random: backend.clock.random())
                if let asked = error.retryAfter { delay = max(delay, asked) }
                guard delay < request.remaining, backend.withdrawRetry() else { throw error }
                logger.debug("retrying", metadata: ["adapter": "\(backend.name)", "code": "\(error.code)", "attempt": "\(attempt + 1)"])
                try await backend.clock.sleep(delay)
                attempt += 1
            }
        }
    }
}
