import Foundation
import GatewayCore
import Logging

/// Structured logs: one JSON object per line on standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Installs the handler for the process and returns the gateway's logger.
    static func bootstrap(level: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = logLevel
            return handler
        }
        return Logger(label: "portage")
    }

    func log(event: LogEvent) {
        var object: JSONObject = [
            "time": .string(Date().formatted(.iso8601)),
            "level": .string(event.level.rawValue),
            "message": .string("\(event.message)"),
            "logger": .string(label),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { object[key] = .string("\(value)") }
        var line = JSONWriter().bytes(.object(object))
        line.append(0x0A)
        FileHandle.standardError.write(Data(line))
    }
}
