import Logging
import NIOCore

/// What a kind needs to build adapters: where contracts live, the event loops, a logger.
public struct AdapterEnvironment: Sendable {
    public var contractsDirectory: String
    public var eventLoopGroup: any EventLoopGroup
    public var logger: Logger

    public init(contractsDirectory: String, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.contractsDirectory = contractsDirectory
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }
}

/// A kind of backend (`fixed-width-tcp`, …): reads the kind-specific parts of a declaration,
/// checks them against the contracts and builds the adapter.
public protocol AdapterKind: Sendable {
    var name: String { get }
    /// Problems go to `reader` with file, line and key path; nil when the declaration is unusable.
    func prepare(_ declaration: AdapterDeclaration, environment: AdapterEnvironment, reader: DeclarationReader) -> PreparedAdapter?
}

/// An adapter built from its declaration (not started), with the shapes of its operations'
/// inputs and outputs for request validation and OpenAPI.
public struct PreparedAdapter: Sendable {
    public var adapter: any LegacyAdapter
    public var operations: [String: OperationSchema]

    public init(adapter: any LegacyAdapter, operations: [String: OperationSchema]) {
        self.adapter = adapter
        self.operations = operations
    }

    public var declaration: AdapterDeclaration { adapter.declaration }
}

public struct OperationSchema: Sendable {
    /// Caller-facing parameter name → the shape of the legacy field it fills.
    public var inputs: [String: ValueSchema]
    /// The whole JSON request body, when the operation takes one as it is (not member by member).
    public var body: ValueSchema?
    public var response: ValueSchema
    /// The HTTP status of a successful answer (202 for an accepted job).
    public var status: Int

    public init(inputs: [String: ValueSchema], body: ValueSchema? = nil, response: ValueSchema, status: Int = 200) {
        self.inputs = inputs
        self.body = body
        self.response = response
        self.status = status
    }
}

extension Duration {
    /// Whole milliseconds (journal timestamps, libcurl timeouts).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The same span as a NIO `TimeAmount`, saturating instead of overflowing.
    public var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        let (wholeSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .nanoseconds(seconds < 0 ? .min : .max) }
        let (total, overflowSum) = wholeSeconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        return .nanoseconds(overflowSum ? .max : total)
    }
}
